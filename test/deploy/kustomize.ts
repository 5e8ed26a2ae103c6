import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

/** A Kubernetes object as `kubectl kustomize` prints it. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> } & Record<string, unknown>;
  [field: string]: unknown;
}

interface LabelsEntry {
  pairs: Record<string, string>;
  includeSelectors?: boolean;
  includeTemplates?: boolean;
}

interface ConfigMapGenerator {
  name: string;
  envs?: string[];
  literals?: string[];
}

interface Kustomization {
  resources?: string[];
  labels?: LabelsEntry[];
  configMapGenerator?: ConfigMapGenerator[];
}

// The fields this renderer implements as kustomize 5 does; any other is refused, so that the base
// never grows a field the test would silently ignore.
const KNOWN_FIELDS = {
  kustomization: ['apiVersion', 'kind', 'resources', 'labels', 'configMapGenerator'],
  labels: ['pairs', 'includeSelectors', 'includeTemplates'],
  configMapGenerator: ['name', 'envs', 'literals'],
};

function refuseUnknown(what: keyof typeof KNOWN_FIELDS, value: object): void {
  const unknown = Object.keys(value).filter((key) => !KNOWN_FIELDS[what].includes(key));
  if (unknown.length > 0) {
    throw new Error(`${what}: ${unknown.join(', ')} not rendered by test/deploy/kustomize.ts`);
  }
}

// An env file as kustomize reads it (api/kv): leading blanks trimmed, `#` lines and empty lines
// skipped, split at the first `=`, the value taken literally (no quotes removed, nothing trimmed).
function envFilePairs(text: string): [string, string][] {
  return text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((line) => line.trimStart())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const equals = line.indexOf('=');
      return equals === -1 ? [line, ''] : [line.slice(0, equals), line.slice(equals + 1)];
    });
}

// A `--from-literal` pair: surrounding matching quotes are removed.
function literalPair(source: string): [string, string] {
  const equals = source.indexOf('=');
  if (equals <= 0) throw new Error(`invalid literal source ${source}, expected key=value`);
  const value = source.slice(equals + 1);
  const quoted = value.length > 1 && /^(["']).*\1$/s.test(value);
  return [source.slice(0, equals), quoted ? value.slice(1, -1) : value];
}

// Go's encoding/json escapes these where JSON.stringify does not.
const goJson = (value: unknown) =>
  JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );

/**
 * The name suffix kustomize gives a generated ConfigMap (api/hasher): the sha256 of Go's JSON of
 * `{data, kind, name}` with sorted keys, its first 10 hex digits with 0, 1, 3, a, e replaced by
 * g, h, k, m, t. kustomize 5 looks the name up by a path it does not find, so `name` is "".
 */
export function configMapHash(data: Record<string, string>): string {
  const sorted = Object.fromEntries(Object.entries(data).sort(([a], [b]) => (a < b ? -1 : 1)));
  const hex = createHash('sha256')
    .update(goJson({ data: sorted, kind: 'ConfigMap', name: '' }))
    .digest('hex');
  const swap: Record<string, string> = { 0: 'g', 1: 'h', 3: 'k', a: 'm', e: 't' };
  return [...hex.slice(0, 10)].map((char) => swap[char] ?? char).join('');
}

function generateConfigMap(dir: string, generator: ConfigMapGenerator): KubeObject {
  refuseUnknown('configMapGenerator', generator);
  const pairs = [
    ...(generator.envs ?? []).flatMap((file) =>
      envFilePairs(readFileSync(path.join(dir, file), 'utf8')),
    ),
    ...(generator.literals ?? []).map(literalPair),
  ];
  const data: Record<string, string> = {};
  for (const [key, value] of pairs) {
    if (key in data) throw new Error(`configMapGenerator ${generator.name}: ${key} given twice`);
    data[key] = value;
  }
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `${generator.name}-${configMapHash(data)}` },
    data,
  };
}

type PodSpec = {
  containers?: Container[];
  initContainers?: Container[];
  volumes?: { configMap?: { name?: string } }[];
};
type Container = {
  envFrom?: { configMapRef?: { name?: string } }[];
  env?: { valueFrom?: { configMapKeyRef?: { name?: string } } }[];
};

// kustomize's name references from a pod template to a generated ConfigMap.
function renameConfigMapReferences(object: KubeObject, renamed: Map<string, string>): void {
  const spec = (object.spec as { template?: { spec?: PodSpec } } | undefined)?.template?.spec;
  if (!spec) return;
  const rename = (holder: { name?: string } | undefined) => {
    if (holder?.name !== undefined) holder.name = renamed.get(holder.name) ?? holder.name;
  };
  for (const container of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    for (const source of container.envFrom ?? []) rename(source.configMapRef);
    for (const variable of container.env ?? []) rename(variable.valueFrom?.configMapKeyRef);
  }
  for (const volume of spec.volumes ?? []) rename(volume.configMap);
}

/**
 * Renders a kustomization directory as `kubectl kustomize` does, for the fields a simple base
 * uses: `resources` (files), `labels` on metadata only, and `configMapGenerator` (env files and
 * literals, hashed names, references from pod templates renamed). Anything else throws.
 */
export function renderKustomization(dir: string): KubeObject[] {
  const kustomization = parse(readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8')) as
    Kustomization | undefined;
  if (!kustomization) throw new Error(`${dir}/kustomization.yaml is empty`);
  refuseUnknown('kustomization', kustomization);
  const generated = (kustomization.configMapGenerator ?? []).map((generator) =>
    generateConfigMap(dir, generator),
  );
  const resources = (kustomization.resources ?? []).flatMap((file) =>
    parseAllDocuments(readFileSync(path.join(dir, file), 'utf8')).map((document) => {
      if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]!.message}`);
      return document.toJS() as KubeObject;
    }),
  );
  const objects = [...generated, ...resources];
  for (const entry of kustomization.labels ?? []) {
    refuseUnknown('labels', entry);
    if (entry.includeSelectors || entry.includeTemplates) {
      throw new Error('labels with includeSelectors/includeTemplates: not rendered here');
    }
    for (const object of objects) {
      object.metadata.labels = { ...object.metadata.labels, ...entry.pairs };
    }
  }
  const renamed = new Map(
    (kustomization.configMapGenerator ?? []).map((generator, index) => [
      generator.name,
      generated[index]!.metadata.name,
    ]),
  );
  for (const object of resources) renameConfigMapReferences(object, renamed);
  return objects;
}
