import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The MUST rules of RO-Crate 1.1, Process Run Crate, Workflow Run Crate and
 * Provenance Run Crate (0.5) that apply to what Shark writes, checked on a
 * crate's JSON: written here, apart from the exporter, so the two cannot
 * share a mistake. Each rule names where it comes from.
 */
export type Entity = Record<string, unknown> & { '@id': string; '@type': string | string[] };
export interface Crate {
  '@context': unknown;
  '@graph': Entity[];
}

export interface Rule {
  readonly id: string;
  readonly source: string;
  readonly text: string;
  /** A problem, or undefined when the crate keeps the rule. */
  readonly check: (crate: Crate, dir: string) => string | undefined;
}

export const ROCRATE = 'https://w3id.org/ro/crate/1.1';
export const PROFILES = {
  process: 'https://w3id.org/ro/wfrun/process/0.5',
  workflow: 'https://w3id.org/ro/wfrun/workflow/0.5',
  provenance: 'https://w3id.org/ro/wfrun/provenance/0.5',
};

const types = (e: Entity | undefined): string[] => (e === undefined ? [] : Array.isArray(e['@type']) ? e['@type'] : [e['@type']]);
const is = (e: Entity | undefined, t: string): boolean => types(e).includes(t);
const refs = (v: unknown): string[] =>
  v === undefined ? [] : (Array.isArray(v) ? v : [v]).map((r) => (typeof r === 'object' && r !== null && '@id' in r ? String((r as { '@id': unknown })['@id']) : `(not a reference: ${JSON.stringify(r)})`));

function index(crate: Crate): Map<string, Entity> {
  return new Map((Array.isArray(crate['@graph']) ? crate['@graph'] : []).map((e) => [e['@id'], e]));
}
const root = (c: Crate): Entity | undefined => {
  const byId = index(c);
  return byId.get(refs(byId.get('ro-crate-metadata.json')?.['about'])[0] ?? '');
};
const mainWorkflow = (c: Crate): Entity | undefined => index(c).get(refs(root(c)?.['mainEntity'])[0] ?? '');
const ofType = (c: Crate, t: string): Entity[] => c['@graph'].filter((e) => is(e, t));
const isWorkflow = (e: Entity | undefined): boolean => is(e, 'ComputationalWorkflow');
const toolActions = (c: Crate): Entity[] => {
  const byId = index(c);
  return ofType(c, 'CreateAction').filter((a) => !isWorkflow(byId.get(refs(a['instrument'])[0] ?? '')));
};
const dataEntity = (e: Entity): boolean => (is(e, 'File') || is(e, 'Dataset')) && !/^[a-z][a-z0-9+.-]*:|^#/i.test(e['@id']) && e['@id'] !== './';
const conformsTo = (c: Crate, profile: string): string | undefined => {
  const r = root(c);
  const list = refs(r?.['conformsTo']);
  if (!list.includes(profile)) return `the root's conformsTo does not include ${profile}`;
  const entity = index(c).get(profile);
  return is(entity, 'CreativeWork') ? undefined : `${profile} is not described as a CreativeWork`;
};
const all = (problems: (string | undefined)[]): string | undefined => problems.find((p) => p !== undefined);

export const RULES: readonly Rule[] = [
  { id: 'context', source: 'RO-Crate 1.1', text: '@context MUST reference the RO-Crate 1.1 context',
    check: (c) => (JSON.stringify(c['@context']).includes(`${ROCRATE}/context`) ? undefined : `@context is ${JSON.stringify(c['@context'])}`) },
  { id: 'flat-graph', source: 'RO-Crate 1.1', text: '@graph MUST be a flat array of entities, each with @id and @type',
    check: (c) => (!Array.isArray(c['@graph']) ? '@graph is not an array' : all(c['@graph'].map((e, i) =>
      typeof e['@id'] !== 'string' ? `entity ${i} has no @id` : e['@type'] === undefined ? `${e['@id']} has no @type` : undefined))) },
  { id: 'descriptor', source: 'RO-Crate 1.1', text: 'the metadata descriptor MUST be a CreativeWork about the root, conforming to RO-Crate 1.1',
    check: (c) => {
      const d = index(c).get('ro-crate-metadata.json');
      if (!is(d, 'CreativeWork')) return 'no CreativeWork ro-crate-metadata.json';
      if (refs(d!['about'])[0] === undefined) return 'the descriptor is about nothing';
      return refs(d!['conformsTo']).includes(ROCRATE) ? undefined : `the descriptor does not conform to ${ROCRATE}`;
    } },
  { id: 'root-dataset', source: 'RO-Crate 1.1', text: 'the root data entity MUST be a Dataset whose @id ends with /',
    check: (c) => { const r = root(c); return is(r, 'Dataset') && r!['@id'].endsWith('/') ? undefined : 'the root is not a Dataset ending with /'; } },
  { id: 'root-properties', source: 'RO-Crate 1.1', text: 'the root MUST have name, description and an ISO 8601 datePublished',
    check: (c) => {
      const r = root(c);
      if (typeof r?.['name'] !== 'string' || typeof r['description'] !== 'string') return 'the root lacks name or description';
      return typeof r['datePublished'] === 'string' && !Number.isNaN(Date.parse(r['datePublished'])) ? undefined : 'the root has no ISO 8601 datePublished';
    } },
  { id: 'data-present', source: 'RO-Crate 1.1', text: 'a data entity with a relative @id MUST be present in the crate (File a file, Dataset a directory)',
    check: (c, dir) => all(c['@graph'].filter(dataEntity).map((e) => {
      const p = join(dir, decodeURIComponent(e['@id']));
      if (!existsSync(p)) return `${e['@id']} is not in the crate`;
      return is(e, 'File') === statSync(p).isFile() ? undefined : `${e['@id']} is not a ${is(e, 'File') ? 'file' : 'directory'}`;
    })) },
  { id: 'data-linked', source: 'RO-Crate 1.1', text: 'every data entity MUST be reachable from the root through hasPart',
    check: (c) => {
      const byId = index(c);
      const seen = new Set<string>();
      const walk = (id: string): void => { if (seen.has(id)) return; seen.add(id); for (const r of refs(byId.get(id)?.['hasPart'])) walk(r); };
      walk(root(c)?.['@id'] ?? './');
      return all(c['@graph'].filter(dataEntity).map((e) => (seen.has(e['@id']) ? undefined : `${e['@id']} is not reachable through hasPart`)));
    } },
  { id: 'process-conforms', source: 'Process Run Crate 0.5', text: 'the root MUST conform to the Process Run Crate permalink (a CreativeWork)', check: (c) => conformsTo(c, PROFILES.process) },
  { id: 'action-instrument', source: 'Process Run Crate 0.5', text: 'every CreateAction MUST have an instrument that is a SoftwareApplication, SoftwareSourceCode or ComputationalWorkflow',
    check: (c) => {
      const byId = index(c);
      return all(ofType(c, 'CreateAction').map((a) => {
        const tool = byId.get(refs(a['instrument'])[0] ?? '');
        return ['SoftwareApplication', 'SoftwareSourceCode', 'ComputationalWorkflow'].some((t) => is(tool, t)) ? undefined : `${a['@id']} has no tool as instrument`;
      }));
    } },
  { id: 'workflow-conforms', source: 'Workflow Run Crate 0.5', text: 'the root MUST conform to the Workflow Run Crate permalink', check: (c) => conformsTo(c, PROFILES.workflow) },
  { id: 'main-workflow', source: 'Workflow Run Crate 0.5', text: 'the crate MUST have a ComputationalWorkflow mainEntity',
    check: (c) => (isWorkflow(mainWorkflow(c)) ? undefined : 'the mainEntity is not a ComputationalWorkflow') },
  { id: 'workflow-run', source: 'Workflow Run Crate 0.5', text: 'the run of the main workflow MUST be a CreateAction with it as instrument',
    check: (c) => (ofType(c, 'CreateAction').some((a) => refs(a['instrument'])[0] === mainWorkflow(c)?.['@id']) ? undefined : 'no CreateAction runs the main workflow') },
  { id: 'formal-parameter', source: 'Workflow Run Crate 0.5', text: 'every FormalParameter MUST have an additionalType',
    check: (c) => all(ofType(c, 'FormalParameter').map((p) => (p['additionalType'] !== undefined ? undefined : `${p['@id']} has no additionalType`))) },
  { id: 'provenance-conforms', source: 'Provenance Run Crate 0.5', text: 'the root MUST conform to the Provenance Run Crate permalink', check: (c) => conformsTo(c, PROFILES.provenance) },
  { id: 'workflow-types', source: 'Provenance Run Crate 0.5', text: 'the workflow MUST be File, SoftwareSourceCode, ComputationalWorkflow, and HowTo when it has steps',
    check: (c) => {
      const w = mainWorkflow(c);
      const need = ['File', 'SoftwareSourceCode', 'ComputationalWorkflow', ...(w?.['step'] !== undefined ? ['HowTo'] : [])];
      const missing = need.filter((t) => !is(w, t));
      return missing.length === 0 ? undefined : `the workflow is not ${missing.join(', ')}`;
    } },
  { id: 'tool-runs', source: 'Provenance Run Crate 0.5', text: 'tool executions MUST be recorded as CreateActions',
    check: (c) => (toolActions(c).length > 0 ? undefined : 'no CreateAction for a tool') },
  { id: 'tools-in-workflow', source: 'Provenance Run Crate 0.5', text: 'the workflow MUST list the tools it orchestrates under hasPart',
    check: (c) => {
      const parts = new Set(refs(mainWorkflow(c)?.['hasPart']));
      return all(toolActions(c).map((a) => (parts.has(refs(a['instrument'])[0] ?? '') ? undefined : `${a['@id']}'s tool is not part of the workflow`)));
    } },
  { id: 'steps-listed', source: 'Provenance Run Crate 0.5', text: 'the workflow MUST reference every HowToStep through step',
    check: (c) => {
      const steps = new Set(refs(mainWorkflow(c)?.['step']));
      return all(ofType(c, 'HowToStep').map((s) => (steps.has(s['@id']) ? undefined : `${s['@id']} is not a step of the workflow`)));
    } },
  { id: 'step-work-example', source: 'Provenance Run Crate 0.5', text: 'every HowToStep MUST reference its tool through workExample',
    check: (c) => {
      const parts = new Set(refs(mainWorkflow(c)?.['hasPart']));
      return all(ofType(c, 'HowToStep').map((s) => (parts.has(refs(s['workExample'])[0] ?? '') ? undefined : `${s['@id']} has no tool as workExample`)));
    } },
  { id: 'control-action', source: 'Provenance Run Crate 0.5', text: 'every ControlAction MUST have a HowToStep as instrument and CreateActions as object',
    check: (c) => {
      const byId = index(c);
      return all(ofType(c, 'ControlAction').map((a) => {
        if (!is(byId.get(refs(a['instrument'])[0] ?? ''), 'HowToStep')) return `${a['@id']} has no HowToStep as instrument`;
        const objects = refs(a['object']);
        return objects.length > 0 && objects.every((o) => is(byId.get(o), 'CreateAction')) ? undefined : `${a['@id']}'s object is not CreateActions`;
      }));
    } },
  { id: 'organize-action', source: 'Provenance Run Crate 0.5', text: "an OrganizeAction MUST have the engine as instrument, the workflow run as result and the step runs as object",
    check: (c) => {
      const byId = index(c);
      const controls = ofType(c, 'ControlAction').map((a) => a['@id']).sort();
      return all(ofType(c, 'OrganizeAction').map((o) => {
        if (!is(byId.get(refs(o['instrument'])[0] ?? ''), 'SoftwareApplication')) return `${o['@id']} has no engine as instrument`;
        const run = byId.get(refs(o['result'])[0] ?? '');
        if (!is(run, 'CreateAction') || refs(run!['instrument'])[0] !== mainWorkflow(c)?.['@id']) return `${o['@id']}'s result is not the workflow run`;
        return JSON.stringify(refs(o['object']).sort()) === JSON.stringify(controls) ? undefined : `${o['@id']}'s object is not the ControlActions`;
      }));
    } },
  { id: 'step-position', source: 'Provenance Run Crate 0.5', text: "a step that needs another step's outputs MUST have a greater position",
    check: (c) => {
      const byId = index(c);
      const stepOf = new Map(ofType(c, 'HowToStep').map((s) => [refs(s['workExample'])[0], Number(s['position'])]));
      const members = (id: string): string[] => [id, ...refs(byId.get(id)?.['hasPart'])];
      const actions = toolActions(c);
      return all(actions.flatMap((a2) => actions.map((a1) => {
        const made = new Set(refs(a1['result']));
        if (!refs(a2['object']).some((o) => members(o).some((m) => made.has(m)))) return undefined;
        const p1 = stepOf.get(refs(a1['instrument'])[0]);
        const p2 = stepOf.get(refs(a2['instrument'])[0]);
        return p1 !== undefined && p2 !== undefined && p2 > p1 ? undefined : `${a2['@id']} reads what ${a1['@id']} made, but its step is at position ${p2} ≤ ${p1}`;
      })));
    } },
  { id: 'file-sha256', source: 'Shark (issue 13)', text: 'every File carries the sha256 of its bytes in the crate',
    check: (c, dir) => all(c['@graph'].filter((e) => dataEntity(e) && is(e, 'File')).map((e) => {
      const p = join(dir, decodeURIComponent(e['@id']));
      if (!existsSync(p)) return undefined;
      const digest = createHash('sha256').update(readFileSync(p)).digest('hex');
      return e['sha256'] === digest ? undefined : `${e['@id']} has sha256 ${String(e['sha256'])}, its bytes ${digest}`;
    })) },
];

export function checkCrate(crate: Crate, dir: string): { rule: string; problem: string }[] {
  return RULES.flatMap((r) => {
    const problem = r.check(crate, dir);
    return problem === undefined ? [] : [{ rule: r.id, problem }];
  });
}

/** The tool, step, ControlAction and the CreateActions it orchestrates that a crate has for `block`. */
export function blockInCrate(crate: Crate, block: string): { tool?: Entity; step?: Entity; control?: Entity; actions: Entity[] } {
  const byId = index(crate);
  const tool = byId.get(`#tool-${block}`);
  const step = crate['@graph'].find((e) => is(e, 'HowToStep') && refs(e['workExample'])[0] === `#tool-${block}`);
  const control = crate['@graph'].find((e) => is(e, 'ControlAction') && refs(e['instrument'])[0] === step?.['@id']);
  return { tool, step, control, actions: refs(control?.['object']).map((id) => byId.get(id)!) };
}
