import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';

/** Grafana's own JSON Schemas (test/schemas/grafana, from grafana-foundation-sdk): the dashboard, and each panel type's options. */
const SCHEMAS = 'test/schemas/grafana';
const schema = (name: string) => JSON.parse(readFileSync(join(SCHEMAS, `${name}.jsonschema.json`), 'utf8'));
const ajv = () => addFormats.default(new Ajv({ strict: false, allErrors: true }));
const validateDashboard = ajv().compile(schema('dashboard'));
const panelValidators = new Map<string, { options: ReturnType<Ajv['compile']>; custom?: ReturnType<Ajv['compile']> }>();

function validatorsFor(type: string) {
  if (!panelValidators.has(type)) {
    const s = schema(type);
    const part = (definition: string) => ajv().compile({ ...s, $ref: `#/definitions/${definition}` });
    panelValidators.set(type, { options: part('Options'), custom: s.definitions.FieldConfig ? part('FieldConfig') : undefined });
  }
  return panelValidators.get(type)!;
}

/** Schema errors of a whole dashboard (empty: valid). */
export function dashboardErrors(dashboard: unknown): unknown[] {
  return validateDashboard(dashboard) ? [] : [...(validateDashboard.errors ?? [])];
}

/** Schema errors of one panel's options and field config against its panel type's schema (empty: valid). */
export function panelErrors(panel: { type: string; options: unknown; fieldConfig?: { defaults: unknown } }): unknown[] {
  const { options, custom } = validatorsFor(panel.type);
  const errors = options(panel.options) ? [] : [...(options.errors ?? [])];
  const fieldCustom = (panel.fieldConfig?.defaults as { custom?: unknown } | undefined)?.custom;
  if (fieldCustom !== undefined && custom && !custom(fieldCustom)) errors.push(...(custom.errors ?? []));
  return errors;
}
