import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The scenarios shipped with flowmine (package root / scenarios): defaults must not depend on the working folder. */
export const SHIPPED_SCENARIOS = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'scenarios');

/** A shipped scenario by name: `mixed` → …/scenarios/mixed.json. */
export function shippedScenario(name: string): string {
  return join(SHIPPED_SCENARIOS, `${name}.json`);
}
