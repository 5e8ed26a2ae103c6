import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Service } from 'kubernetes-models/v1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ConfigError, loadConfig } from '../../src/config.js';
import type { FakeAuthentik } from '../../src/fake-authentik/server.js';
import { startFakeAuthentik } from '../../src/fake-authentik/server.js';
import type { Child } from '../helpers/processes.js';
import { spawnTs } from '../helpers/processes.js';
import { execForm, parseDockerfile } from './dockerfile.js';
import { bytesOf, selects, theOne, validateObject } from './kubernetes-objects.js';
import type { KubeObject } from './kustomize.js';
import { renderKustomization } from './kustomize.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BASE = `${ROOT}deploy/kubernetes`;
const START_SCRIPT = `${ROOT}scripts/start.sh`;
const { version } = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string };
const finalStage = parseDockerfile(`${ROOT}Dockerfile`).at(-1)!;
const lastOf = (keyword: string) =>
  finalStage.instructions.filter((instruction) => instruction.keyword === keyword).at(-1)?.args;

const objects = renderKustomization(BASE);
const deployment = theOne(objects, Deployment);
const pod = deployment.spec!.template;
const podLabels = pod.metadata?.labels;
const container = pod.spec!.containers[0]!;
const settings = theOne(objects, ConfigMap).data ?? {};
const config = loadConfig(settings);
const service = theOne(objects, Service);
const policy = theOne(objects, NetworkPolicy);

// The namespace of authentik's Service in AUTHENTIK_URL (`http://authentik-server.<ns>.svc`).
const authentikNamespace = /^[^.]+\.([^.]+)\.svc(\.|$)/.exec(
  new URL(config.authentikUrl!).hostname,
)?.[1];

describe('deploy/kubernetes, rendered as `kubectl kustomize deploy/kubernetes` does', () => {
  it('is a ConfigMap, Deployment, Service, PodDisruptionBudget, HPA (autoscaling/v2) and NetworkPolicy', () => {
    expect(objects.map((object) => `${object.apiVersion} ${object.kind}`).sort()).toEqual([
      'apps/v1 Deployment',
      'autoscaling/v2 HorizontalPodAutoscaler',
      'networking.k8s.io/v1 NetworkPolicy',
      'policy/v1 PodDisruptionBudget',
      'v1 ConfigMap',
      'v1 Service',
    ]);
  });

  it.each(objects.map((object) => [`${object.kind} ${object.metadata.name}`, object] as const))(
    '%s is valid against the Kubernetes API schema',
    (_, object) => {
      expect(() => validateObject(object)).not.toThrow();
    },
  );

  const kubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
  it.skipIf(!kubectl)('renders what kubectl kustomize renders, where kubectl is installed', () => {
    const byName = (list: KubeObject[]) =>
      [...list].sort((a, b) =>
        `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`),
      );
    const printed = execFileSync('kubectl', ['kustomize', BASE], { encoding: 'utf8' });
    const rendered = parseAllDocuments(printed).map((document) => document.toJS() as KubeObject);
    expect(byName(objects)).toEqual(byName(rendered));
  });

  it('labels every object alike, and every selector selects the Deployment’s pods', () => {
    const common = {
      'app.kubernetes.io/name': 'authentik-graphql-gateway',
      'app.kubernetes.io/component': 'graphql-gateway',
      'app.kubernetes.io/part-of': 'authentik',
    };
    for (const object of objects) expect(object.metadata.labels).toMatchObject(common);
    expect(podLabels).toMatchObject(common);
    const selectors = {
      deployment: deployment.spec!.selector.matchLabels,
      service: service.spec!.selector,
      pdb: theOne(objects, PodDisruptionBudget).spec?.selector?.matchLabels,
      networkPolicy: policy.spec?.podSelector?.matchLabels,
      ...Object.fromEntries(
        (pod.spec!.topologySpreadConstraints ?? []).map((constraint) => [
          constraint.topologyKey,
          constraint.labelSelector?.matchLabels,
        ]),
      ),
    };
    for (const [name, selector] of Object.entries(selectors)) {
      expect(selects(selector, podLabels), name).toBe(true);
    }
    expect(theOne(objects, HorizontalPodAutoscaler).spec!.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: deployment.metadata!.name,
    });
  });
});

describe('the Deployment', () => {
  it('runs the image of the package version with its own command, as its non-root user', () => {
    expect(container.image).toBe(`authentik-graphql-gateway:${version}`);
    expect(container.command).toBeUndefined();
    expect(container.args).toBeUndefined();
    // The image's `USER node` is uid 1000 in the official Node images; the kubelet needs the number.
    expect(lastOf('USER')).toBe('node');
    expect(pod.spec!.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
  });

  it('has a read-only root filesystem, no privileges, capabilities, syscalls or API token', () => {
    expect(container.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.securityContext?.capabilities?.add).toBeUndefined();
    expect(container.securityContext?.privileged ?? false).toBe(false);
    expect(pod.spec!.securityContext?.seccompProfile?.type).toBe('RuntimeDefault');
    expect(pod.spec!.automountServiceAccountToken).toBe(false);
    expect(pod.spec!.volumes).toBeUndefined();
  });

  it('keeps at least two replicas, and a rollout never goes below the disruption budget', () => {
    const replicas = deployment.spec!.replicas!;
    const budget = theOne(objects, PodDisruptionBudget).spec!;
    expect(budget).toEqual({ maxUnavailable: 1, selector: expect.anything() });
    const rollout = deployment.spec!.strategy!;
    expect(rollout.type).toBe('RollingUpdate');
    const rolloutDown = rollout.rollingUpdate!.maxUnavailable;
    expect(typeof rolloutDown).toBe('number');
    expect(replicas).toBeGreaterThanOrEqual(2);
    expect(replicas - (rolloutDown as number)).toBeGreaterThanOrEqual(replicas - 1);
  });

  it('scales on CPU from at least two replicas', () => {
    const hpa = theOne(objects, HorizontalPodAutoscaler).spec!;
    expect(hpa.minReplicas).toBeGreaterThanOrEqual(2);
    expect(hpa.minReplicas).toBeLessThanOrEqual(deployment.spec!.replicas!);
    expect(hpa.maxReplicas).toBeGreaterThan(hpa.minReplicas!);
    expect(hpa.metrics).toContainEqual({
      type: 'Resource',
      resource: {
        name: 'cpu',
        target: { type: 'Utilization', averageUtilization: expect.any(Number) },
      },
    });
    expect(container.resources?.requests?.cpu).toBeDefined();
  });

  it('spreads its replicas across nodes and zones', () => {
    const keys = (pod.spec!.topologySpreadConstraints ?? []).map(
      (constraint) => constraint.topologyKey,
    );
    expect(keys.sort()).toEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
  });

  it('probes GET /readyz and /healthz on the port named http, 4000', () => {
    expect(container.ports).toEqual([{ name: 'http', containerPort: 4000, protocol: 'TCP' }]);
    expect(config.port).toBe(4000);
    expect(container.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.startupProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
  });

  it('waits for /readyz longer than the gateway waits for authentik (READY_TIMEOUT_MS)', () => {
    // A slow authentik must read as "not ready" (503), not as a probe that timed out.
    expect(container.readinessProbe!.timeoutSeconds! * 1000).toBeGreaterThan(config.readyTimeoutMs);
  });

  it('outlasts the gateway’s shutdown: terminationGracePeriodSeconds > delay + grace', () => {
    expect(config.shutdownDelayMs).toBeGreaterThan(0);
    expect(pod.spec!.terminationGracePeriodSeconds! * 1000).toBeGreaterThan(
      config.shutdownDelayMs + config.shutdownGraceMs,
    );
  });

  it('requests CPU and memory, and the image’s start script sizes V8’s heap below the memory limit', () => {
    const { requests = {}, limits = {} } = container.resources ?? {};
    const limit = bytesOf(limits.memory);
    expect(bytesOf(requests.memory)).toBe(limit);
    expect(settings.NODE_OPTIONS).toBeUndefined();
    // The image's CMD is the start script; in the pod it sees the limit in its cgroup (v2 here).
    expect(execForm(lastOf('CMD')!)).toEqual(['sh', 'scripts/start.sh']);
    const cgroup = mkdtempSync(path.join(tmpdir(), 'gw-k8s-cgroup-'));
    try {
      writeFileSync(path.join(cgroup, 'cgroup.controllers'), 'cpu memory\n');
      writeFileSync(path.join(cgroup, 'memory.max'), `${limit}\n`);
      const flags = execFileSync('sh', [START_SCRIPT, '--print-flags'], {
        env: { PATH: process.env.PATH, CGROUP_FS: cgroup },
        encoding: 'utf8',
      })
        .trim()
        .split(' ');
      const printed = execFileSync(
        process.execPath,
        [...flags, '-p', 'require("node:v8").getHeapStatistics().heap_size_limit'],
        { env: { PATH: process.env.PATH }, encoding: 'utf8' },
      );
      // Code, buffers and sockets live outside the heap: at least 32 MiB of the limit stays theirs.
      expect(Number(printed) + 32 * 2 ** 20).toBeLessThanOrEqual(limit);
    } finally {
      rmSync(cgroup, { recursive: true, force: true });
    }
  });
});

describe('the settings (gateway.env, one ConfigMap the Deployment reads whole)', () => {
  it('are the only environment of the container', () => {
    expect(container.env).toBeUndefined();
    expect(container.envFrom).toEqual([
      { configMapRef: { name: theOne(objects, ConfigMap).metadata!.name } },
    ]);
  });

  it('name only variables the gateway reads', () => {
    const read = new Set<string | symbol>();
    loadConfig(
      new Proxy(settings, { get: (target, name) => (read.add(name), Reflect.get(target, name)) }),
    );
    const unread = Object.keys(settings).filter((name) => !read.has(name));
    expect(unread).toEqual([]);
  });

  it('are production: NODE_ENV=production, 0.0.0.0, no GraphiQL, no introspection', () => {
    expect(settings.NODE_ENV).toBe('production');
    expect(config).toMatchObject({ host: '0.0.0.0', graphiql: false, introspection: false });
    // Without AUTHENTIK_URL, production refuses to start (instead of running the demo).
    const withoutUrl = { ...settings, AUTHENTIK_URL: undefined };
    expect(() => loadConfig(withoutUrl)).toThrow(ConfigError);
    expect(() => loadConfig(withoutUrl)).toThrow(/AUTHENTIK_URL/);
  });

  it('point at authentik’s Helm release, the one place egress is allowed to', () => {
    expect(config.authentikUrl).toBe('http://authentik-server.authentik.svc');
    const authentikRule = policy.spec!.egress!.find((rule) =>
      rule.to?.some(
        (peer) => peer.podSelector?.matchLabels?.['app.kubernetes.io/name'] === 'authentik',
      ),
    );
    expect(authentikRule?.to).toEqual([
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': authentikNamespace } },
        podSelector: {
          matchLabels: {
            'app.kubernetes.io/name': 'authentik',
            'app.kubernetes.io/component': 'server',
          },
        },
      },
    ]);
    // The Helm chart's Service sends port 80 to the server pods' 9000.
    expect(authentikRule?.ports).toContainEqual({ port: 9000, protocol: 'TCP' });
  });
});

describe('the Service and the NetworkPolicy', () => {
  it('serve port 4000 to the container port named http, inside the cluster', () => {
    expect(service.spec).toMatchObject({
      type: 'ClusterIP',
      ports: [{ name: 'http', port: 4000, targetPort: 'http', protocol: 'TCP' }],
    });
  });

  it('let traffic in on 4000 only, and out to DNS and authentik only', () => {
    const spec = policy.spec!;
    expect(spec.policyTypes?.sort()).toEqual(['Egress', 'Ingress']);
    expect(spec.ingress?.map((rule) => rule.ports)).toEqual([[{ port: 4000, protocol: 'TCP' }]]);
    const egress = spec.egress ?? [];
    expect(egress).toHaveLength(2);
    expect(egress.every((rule) => (rule.to ?? []).length > 0)).toBe(true);
    const dns = egress.find((rule) => rule.ports?.some((port) => port.port === 53));
    expect(dns?.ports).toEqual([
      { port: 53, protocol: 'UDP' },
      { port: 53, protocol: 'TCP' },
    ]);
    expect(dns?.to).toEqual([
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
        podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
      },
    ]);
  });
});

// The real entry point (src/main.ts) with the ConfigMap's environment, but
// for authentik's address (the fake on loopback), a loopback port, and no wait at shutdown (the
// delay is tested in settings.test.ts).
describe('the gateway started with these settings', () => {
  let fake: FakeAuthentik;
  let gateway: Child;
  let origin: string;

  beforeAll(async () => {
    fake = await startFakeAuthentik();
    gateway = spawnTs('src/main.ts', {
      ...settings,
      AUTHENTIK_URL: fake.url,
      HOST: '127.0.0.1',
      PORT: '0',
      SHUTDOWN_DELAY_MS: '0',
      LOG_LEVEL: 'info',
    });
    const listening = await gateway.waitForLine((line) => line.includes('listening'), 20_000);
    const { port, demo } = JSON.parse(listening) as { port: number; demo: boolean };
    expect(demo).toBe(false);
    origin = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await gateway?.stop(10_000);
    await fake?.close();
  });

  it.each([
    ['startupProbe', container.startupProbe],
    ['livenessProbe', container.livenessProbe],
    ['readinessProbe', container.readinessProbe],
  ])('answers its %s with success, as the kubelet asks it', async (_, probe) => {
    const response = await fetch(`${origin}${probe!.httpGet!.path}`, {
      headers: { 'user-agent': 'kube-probe/1.33' },
    });
    // The kubelet counts 200-399 as success.
    expect(response.status).toBeGreaterThanOrEqual(200);
    expect(response.status).toBeLessThan(400);
  });
});
