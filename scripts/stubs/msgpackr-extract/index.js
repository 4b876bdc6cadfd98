// msgpackr catches this and uses its JavaScript decoder (see the package.json description).
throw new Error('msgpackr-extract is stubbed out in sitrep; msgpackr uses its JavaScript decoder');
