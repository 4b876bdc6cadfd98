import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { renderPostmortem } from '../../src/incident/postmortem.js';
import { alertIncident } from './alert-incident.js';

const schema = JSON.parse(readFileSync(new URL('../../docs/postmortem.schema.json', import.meta.url), 'utf8'));

describe('the published postmortem JSON schema (docs/postmortem.schema.json)', () => {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats.default(ajv);
  const validate = ajv.compile(schema);

  it('validates the JSON sitrep writes, with the version it declares', () => {
    const json = JSON.parse(renderPostmortem({ ...alertIncident(), format: 'json', timeZone: 'Asia/Shanghai', names: { U1: 'Alice' } }));
    expect(validate(json), JSON.stringify(validate.errors, null, 2)).toBe(true);
    expect(json.v).toBe(schema.properties.v.const);
  });

  it('rejects what drifted from it: an unknown field, a missing one, a time without its zone', () => {
    const json = JSON.parse(renderPostmortem({ ...alertIncident(), format: 'json' }));
    expect(validate({ ...json, surprise: 1 })).toBe(false);
    const { keyTimes, ...missing } = json;
    expect(keyTimes).toBeDefined();
    expect(validate(missing)).toBe(false);
    expect(validate({ ...json, keyTimes: { ...json.keyTimes, began: { ...json.keyTimes.began, local: '2026-11-23 01:00:00' } } })).toBe(false);
  });
});
