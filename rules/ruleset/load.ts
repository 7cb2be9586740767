// Rule sets live as versioned JSON files in ./data (one file per version); the live version is
// named here and can be overridden per command (`--ruleset`).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRegistry, type RuleRegistry } from '../registry.ts';
import { compileRuleset, RulesetError, type CompiledRuleset } from '../engine/compile.ts';

export const LIVE_RULESET = 'v2';
export const RULESET_DIR = join(dirname(fileURLToPath(import.meta.url)), 'data');

export function rulesetVersions(dir = RULESET_DIR): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
}

export function readRuleset(version: string, dir = RULESET_DIR): unknown {
  if (!/^[A-Za-z0-9._-]{1,40}$/.test(version)) throw new RulesetError(`rules: rule set version "${version.slice(0, 40)}" is not a valid name`);
  const file = join(dir, `${version}.json`);
  if (!existsSync(file)) throw new RulesetError(`rules: no rule set "${version}" in ${dir}; known: ${rulesetVersions(dir).join(', ')}`);
  const raw = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown };
  if (raw.version !== version) throw new RulesetError(`rules: ${file} says version "${String(raw.version)}", expected "${version}"`);
  return raw;
}

export function loadRuleset(version = LIVE_RULESET, registry: RuleRegistry = createRegistry(), dir = RULESET_DIR): CompiledRuleset {
  return compileRuleset(readRuleset(version, dir), registry);
}
