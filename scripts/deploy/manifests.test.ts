// The deploy/ examples are what an operator copies: Kubernetes manifests validated against the Kubernetes
// OpenAPI schemas (kubernetes-models), and the fields that make remote serving work checked by name. The
// compose file is checked by `docker-compose config` in the Docker step (scripts/docker).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Service } from 'kubernetes-models/v1/Service';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';

const deploy = (path: string) => fileURLToPath(new URL(`../../deploy/${path}`, import.meta.url));
const documents = (path: string) =>
  parseAllDocuments(readFileSync(deploy(path), 'utf8')).map((doc) => doc.toJS() as Record<string, unknown>);
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  Deployment,
  Service,
  Ingress,
  PodDisruptionBudget,
};

describe('the Kubernetes manifests', () => {
  const all = [...documents('kubernetes/fetch.yaml'), ...documents('kubernetes/ingress.yaml')];
  const byKind = (kind: string) => all.filter((doc) => doc.kind === kind) as never as any[];

  it.each(all.map((doc) => [doc.kind as string, doc] as const))(
    'validate against the Kubernetes schema: %s',
    (kind, doc) => {
      const Model = MODELS[kind];
      expect(Model, `no model for ${kind}`).toBeDefined();
      expect(() => new Model!(doc as never).validate()).not.toThrow();
    },
  );

  it('run several replicas as uid 1000 over --http, with the token from a secret and probes on /healthz', () => {
    const [deployment] = byKind('Deployment');
    expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(deployment.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    const [container] = deployment.spec.template.spec.containers;
    expect(container.args).toContain('--http');
    const env = Object.fromEntries(container.env.map((entry: { name: string }) => [entry.name, entry]));
    expect(env.PORTICO_HOST.value).toBe('0.0.0.0');
    expect(env.PORTICO_AUTH_TOKEN.valueFrom.secretKeyRef).toMatchObject({ name: 'portico-auth', key: 'token' });
    for (const probe of [container.readinessProbe, container.livenessProbe])
      expect(probe.httpGet).toMatchObject({ path: '/healthz', port: 'http' });
    expect(container.ports).toContainEqual({ name: 'http', containerPort: Number(env.PORTICO_PORT.value) });
  });

  it("route the Service and the Ingress to the Deployment's pods", () => {
    const [deployment] = byKind('Deployment');
    const [service] = byKind('Service');
    const [ingress] = byKind('Ingress');
    expect(deployment.spec.template.metadata.labels).toMatchObject(service.spec.selector);
    const backends = ingress.spec.rules.flatMap((rule: any) =>
      rule.http.paths.map((path: any) => path.backend.service.name),
    );
    expect(backends).toContain(service.metadata.name);
    expect(ingress.metadata.annotations['nginx.ingress.kubernetes.io/affinity']).toBe('cookie');
  });
});

describe('the compose file', () => {
  // Compose's x- blocks are shared through YAML merge keys (<<), which the yaml package resolves on request.
  const compose = parse(readFileSync(deploy('compose.yaml'), 'utf8'), { merge: true });

  it('runs each server in several replicas over --http behind one load balancer with a health check', () => {
    for (const name of ['fetch', 'github']) {
      const service = compose.services[name];
      expect(service.deploy.replicas).toBeGreaterThanOrEqual(2);
      expect(service.entrypoint.join(' ')).toMatch(
        /PORTICO_AUTH_TOKEN="\$\$\(cat \/run\/secrets\/portico_token\)".* --http /,
      );
      expect(service.secrets).toContain('portico_token');
      expect(service.healthcheck.test.join(' ')).toContain('/healthz');
      expect(service.environment.PORTICO_HOST).toBe('0.0.0.0');
    }
    expect(compose.services.haproxy.ports).toEqual(['8080:8080']);
  });

  it('pins 2025-era sessions to their replica by the Mcp-Session-Id the server returns', () => {
    const haproxy = readFileSync(deploy('haproxy/haproxy.cfg'), 'utf8');
    for (const backend of ['fetch', 'github']) {
      const section = haproxy.split(/^backend /m).find((part) => part.startsWith(backend))!;
      expect(section).toMatch(/^\s+stick store-response res\.hdr\(mcp-session-id\)$/m);
      expect(section).toMatch(/^\s+stick on req\.hdr\(mcp-session-id\)$/m);
      expect(section).toMatch(/^\s+option httpchk GET \/healthz$/m);
    }
  });
});
