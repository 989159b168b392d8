import type { ValidationIssue } from './errors.js';
import { codePointLength } from '../lib/code-points.js';

/**
 * A small subset of JSON Schema: enough to describe the contract's request
 * bodies and query strings once, validate them with pydantic-style issues
 * (what Soniox answers with), and publish them in the OpenAPI document.
 */
export type Schema =
  | { type: 'string'; maxLength?: number; minLength?: number; pattern?: string; format?: 'uuid'; enum?: readonly string[]; nullable?: boolean; description?: string }
  | { type: 'integer'; minimum?: number; maximum?: number; nullable?: boolean; description?: string }
  | { type: 'boolean'; nullable?: boolean; description?: string }
  | { type: 'array'; items: Schema; maxItems?: number; nullable?: boolean; description?: string }
  | {
      type: 'object';
      properties: Record<string, Schema>;
      required?: readonly string[];
      /** `false`: a field not in `properties` is an `extra_forbidden` issue (pydantic's `extra='forbid'`). */
      additionalProperties?: false;
      nullable?: boolean;
      description?: string;
    }
  | { anyOf: readonly Schema[]; nullable?: boolean; description?: string };

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}

function issue(errorType: string, location: string, message: string): ValidationIssue {
  return { errorType, location, message };
}

function typeName(schema: Schema): string {
  return 'type' in schema ? schema.type : 'value';
}

/** Whether `value` has the JSON type `schema` asks for, whatever else is wrong with it. */
function hasType(schema: Schema, value: unknown): boolean {
  if (!('type' in schema)) return false;
  switch (schema.type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
  }
}

/**
 * Validates `value` against `schema`; `location` is the dotted path used in
 * `validation_errors` (e.g. `body.payload.model`). Query strings pass
 * `coerce` so that "10" is read as an integer and "true" as a boolean.
 */
export function validate(schema: Schema, value: unknown, location: string, coerce = false): ValidationIssue[] {
  if (value === null || value === undefined) return schema.nullable ? [] : [issue('missing', location, 'Field required')];
  if ('anyOf' in schema) {
    for (const option of schema.anyOf) {
      if (validate(option, value, location, coerce).length === 0) return [];
    }
    // When only one option has the value's type, its issues say where the value went wrong.
    const sameType = schema.anyOf.filter((option) => hasType(option, value));
    if (sameType.length === 1) return validate(sameType[0]!, value, location, coerce);
    return [issue('union_type', location, `Input should be a valid ${schema.anyOf.map(typeName).join(' or ')}`)];
  }
  switch (schema.type) {
    case 'string':
      return validateString(schema, value, location);
    case 'integer': {
      const n = coerce && typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isInteger(n)) {
        return [issue('int_type', location, 'Input should be a valid integer')];
      }
      if (schema.minimum !== undefined && n < schema.minimum) {
        return [issue('greater_than_equal', location, `Input should be greater than or equal to ${schema.minimum}`)];
      }
      if (schema.maximum !== undefined && n > schema.maximum) {
        return [issue('less_than_equal', location, `Input should be less than or equal to ${schema.maximum}`)];
      }
      return [];
    }
    case 'boolean': {
      const ok = typeof value === 'boolean' || (coerce && (value === 'true' || value === 'false'));
      return ok ? [] : [issue('bool_type', location, 'Input should be a valid boolean')];
    }
    case 'array': {
      if (!Array.isArray(value)) return [issue('list_type', location, 'Input should be a valid list')];
      if (schema.maxItems !== undefined && value.length > schema.maxItems) {
        return [
          issue(
            'too_long',
            location,
            `List should have at most ${schema.maxItems} items after validation, not ${value.length}`,
          ),
        ];
      }
      return value.flatMap((item, i) => validate(schema.items, item, `${location}.${i}`, coerce));
    }
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) {
        return [issue('dict_type', location, 'Input should be a valid dictionary')];
      }
      const obj = value as Record<string, unknown>;
      const out: ValidationIssue[] = [];
      for (const name of schema.required ?? []) {
        if (obj[name] === undefined) out.push(issue('missing', `${location}.${name}`, 'Field required'));
      }
      for (const [name, sub] of Object.entries(schema.properties)) {
        if (obj[name] === undefined) continue;
        out.push(...validate(sub, obj[name], `${location}.${name}`, coerce));
      }
      if (schema.additionalProperties === false) {
        for (const name of Object.keys(obj)) {
          if (!Object.hasOwn(schema.properties, name)) {
            out.push(issue('extra_forbidden', `${location}.${name}`, 'Extra inputs are not permitted'));
          }
        }
      }
      return out;
    }
  }
}

function validateString(schema: Extract<Schema, { type: 'string' }>, value: unknown, location: string): ValidationIssue[] {
  if (typeof value !== 'string') return [issue('string_type', location, 'Input should be a valid string')];
  if (schema.enum && !schema.enum.includes(value)) {
    const options = schema.enum.map((e) => `'${e}'`);
    const list = options.length > 1 ? `${options.slice(0, -1).join(', ')} or ${options.at(-1)}` : options[0];
    return [issue('enum', location, `Input should be ${list}`)];
  }
  // Lengths count code points, as pydantic does; UTF-16 length is an upper bound, so most strings skip the count.
  if (schema.minLength !== undefined && (value.length < schema.minLength || codePointLength(value) < schema.minLength)) {
    return [issue('string_too_short', location, `String should have at least ${schema.minLength} character${schema.minLength === 1 ? '' : 's'}`)];
  }
  if (schema.maxLength !== undefined && value.length > schema.maxLength && codePointLength(value) > schema.maxLength) {
    return [issue('string_too_long', location, `String should have at most ${schema.maxLength} characters`)];
  }
  if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value)) {
    return [issue('string_pattern_mismatch', location, `String should match pattern '${schema.pattern}'`)];
  }
  if (schema.format === 'uuid' && !isUuid(value)) {
    return [issue('uuid_parsing', location, 'Input should be a valid UUID')];
  }
  return [];
}

/** Translates the validator's dialect into the JSON Schema of OpenAPI 3.1. */
export function toJsonSchema(schema: Schema): Record<string, unknown> {
  const { nullable, ...rest } = schema as Schema & { nullable?: boolean };
  let out: Record<string, unknown>;
  if ('anyOf' in rest) {
    out = { ...rest, anyOf: (rest as { anyOf: readonly Schema[] }).anyOf.map(toJsonSchema) };
  } else if (rest.type === 'array') {
    out = { ...rest, items: toJsonSchema(rest.items) };
  } else if (rest.type === 'object') {
    out = {
      ...rest,
      properties: Object.fromEntries(Object.entries(rest.properties).map(([k, v]) => [k, toJsonSchema(v)])),
    };
  } else {
    out = { ...rest };
  }
  return nullable ? { anyOf: [out, { type: 'null' }] } : out;
}
