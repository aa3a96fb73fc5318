import { UsageError } from '../core/errors.js';
import { Registry } from '../core/registry.js';
import type { FeatureDefinition, Params, ParamSpec } from './feature.js';

/** Every feature, by name. Families register themselves through `defineFeature` (see ./index.ts). */
export const features = new Registry<FeatureDefinition>('feature');

export function defineFeature(definition: FeatureDefinition): FeatureDefinition {
  return features.define(definition);
}

/** One requested feature: its definition, its parameters (defaults filled in) and its columns. */
export interface FeatureRequest {
  readonly definition: FeatureDefinition;
  readonly params: Params;
  readonly columns: readonly string[];
}

/**
 * Parses a feature list: names separated by commas, each optionally followed by `:name=value` parameters,
 * e.g. `ofi,mlofi:levels=5,vpin:bucket=50:window=50`. Unknown names, unknown parameters, values that are
 * not numbers (for numeric parameters) or not among the choices, and duplicate columns are usage errors.
 */
export function parseFeatureList(list: string): FeatureRequest[] {
  const requests: FeatureRequest[] = [];
  const seen = new Set<string>();
  for (const item of list.split(',').map((part) => part.trim()).filter(Boolean)) {
    const [name, ...assignments] = item.split(':');
    const definition = features.get(name!);
    const params = parseParams('--features', item, definition, assignments);
    const columns = definition.columns(params);
    for (const column of columns) {
      if (seen.has(column)) throw new UsageError(`--features: column "${column}" is requested twice`);
      seen.add(column);
    }
    requests.push({ definition, params, columns });
  }
  if (requests.length === 0) throw new UsageError('--features: the list is empty (see `flowmine features --list`)');
  return requests;
}

/**
 * Fills a plugin's parameters from `name=value` assignments over its defaults (shared by every list of
 * parameterised plugins: features, detectors). `flag` names the option in error messages.
 */
export function parseParams(flag: string, item: string, definition: { readonly name: string; readonly params: readonly ParamSpec[] }, assignments: readonly string[]): Params {
  const params: Record<string, number | string> = {};
  for (const param of definition.params) params[param.name] = param.default;
  for (const assignment of assignments) {
    const match = /^([a-z_]+)=(.+)$/.exec(assignment);
    const param = match ? definition.params.find((candidate) => candidate.name === match[1]) : undefined;
    if (!match || !param) {
      const known = definition.params.map((candidate) => candidate.name).join(', ') || 'none';
      throw new UsageError(`${flag} ${item}: "${assignment}" is not a parameter of ${definition.name} (parameters: ${known})`);
    }
    params[param.name] = parseValue(flag, item, param.name, match[2]!, param.default, param.choices);
  }
  return params;
}

function parseValue(flag: string, item: string, name: string, value: string, fallback: number | string, choices?: readonly string[]): number | string {
  if (typeof fallback === 'number') {
    const parsed = Number(value);
    if (!Number.isFinite(parsed)) throw new UsageError(`${flag} ${item}: ${name}=${value} is not a number`);
    return parsed;
  }
  if (choices && !choices.includes(value)) throw new UsageError(`${flag} ${item}: ${name}=${value}: expected one of ${choices.join(', ')}`);
  return value;
}
