/** `sitrep demo`: filled in by the demo issue; until then it says so plainly. */
export async function runDemo(_argv: string[]): Promise<number> {
  console.error('sitrep demo is not built yet. Start the simulated cluster with: npx sitrep sandbox --scenario maintenance');
  return 2;
}
