/**
 * The shapes of the JSON values Shark stores, as their readers rely on them:
 * a value edited into valid JSON of another shape (`{}` for a key record,
 * `[1,2]` for a result's shown columns) is damage to say, as one that no
 * longer parses is (`parseStored`), not a crash deep inside a command. Only
 * what readers iterate, index or call methods on is checked: cheap beside
 * the parse itself.
 */

type Check = (v: unknown) => boolean;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): boolean => typeof v === 'string';
const isNumber = (v: unknown): boolean => typeof v === 'number';
const isPair = (v: unknown): boolean => Array.isArray(v) && v.length === 2 && isString(v[0]) && isString(v[1]);
const isPairs = (v: unknown): boolean => Array.isArray(v) && v.every(isPair);
const optional = (check: Check): Check => (v) => v === undefined || v === null || check(v);
const hasFields = (fields: Readonly<Record<string, Check>>): Check => (v) => isObject(v) && Object.entries(fields).every(([k, check]) => check(v[k]));

/** `{path: id}`: a result's or a step memo's outputs. */
export const isOutputs: Check = (v) => isObject(v) && Object.values(v).every(isString);

/** A key record (`plan/key.ts` `KeyRecord`). */
export const isKeyRecord: Check = hasFields({
  kind: isString, env: isString, command: isString,
  prelude: (v) => Array.isArray(v) && v.every(isString),
  variables: isPairs, inputs: isPairs, files: isPairs, tools: optional(isPairs), deps: optional(isPairs),
  outputs: (v) => Array.isArray(v) && v.every(isString),
  pin: optional(isObject),
});

/** What a result records of where and how its job ran (`lineage/record.ts` `JobMeta`). */
export const isJobMeta: Check = hasFields({
  block: isString, step: isString, file: isString, command: isString, env: isString,
  line: isNumber, col: isNumber, items: (v) => Array.isArray(v) && v.every(isString),
  host: optional(isString), version: optional(isString),
});

/** A result's `shown` column (`lineage/lineage-result.ts`): its record's shown fields, its meta's, and its outputs. */
export const isShownResult: Check = (v) => {
  if (!Array.isArray(v) || v.length < 3 || !Array.isArray(v[0]) || !Array.isArray(v[1]) || !isOutputs(v[2])) return false;
  const [kind, env, pin, , inputs, variables, files, deps] = v[0] as unknown[];
  const [file, line, col, command, host, version] = v[1] as unknown[];
  return isString(kind) && isString(env) && optional(isObject)(pin) && isPairs(inputs) && optional(isPairs)(variables)
    && optional(isPairs)(files) && optional(isPairs)(deps)
    && isString(file) && isNumber(line) && isNumber(col) && isString(command) && optional(isString)(host) && optional(isString)(version);
};

/** A directory snapshot's entries: a list of objects, each with its name. */
export const isTreeEntries: Check = (v) => Array.isArray(v) && v.every((e) => isObject(e) && isString(e['name']));

/** A list of `[name, value]` pairs: a result's inputs, a run's variables. */
export const isStringPairs: Check = isPairs;
