import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { PLATFORM_DASHBOARDS_MOUNT, PLATFORM_GRAFANA_DIR, PROMETHEUS_URL } from '../../src/grafana/platformFiles.ts';

interface Service {
  image?: string;
  ports?: string[];
  expose?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  secrets?: string[];
  command?: string[];
  healthcheck?: { test: string[] };
}
const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as { services: Record<string, Service>; secrets?: Record<string, { environment?: string }>; volumes: Record<string, unknown> };
const prometheus = compose.services.prometheus!;
const config = parse(readFileSync('deploy/prometheus/prometheus.yml', 'utf8')) as {
  scrape_configs: { job_name: string; metrics_path: string; authorization: { type: string; credentials_file: string }; static_configs: { targets: string[] }[] }[];
};

describe('Prometheus in docker-compose.yml', () => {
  it('runs an exact release, unpublished, with its data on a named volume and a health check', () => {
    expect(prometheus.image).toMatch(/^prom\/prometheus:v3\.\d+\.\d+$/);
    expect(prometheus).not.toHaveProperty('ports');
    expect(prometheus.expose).toEqual(['9090']);
    expect(prometheus.volumes).toContain('prometheus-data:/prometheus');
    expect(compose.volumes).toHaveProperty('prometheus-data');
    expect(prometheus.healthcheck!.test.join(' ')).toContain('http://localhost:9090/-/ready');
    expect(`http://prometheus:${prometheus.expose![0]}`).toBe(PROMETHEUS_URL); // where Grafana's data source points
  });

  it("mounts deploy/prometheus/prometheus.yml, which scrapes the API's /metrics with METRICS_TOKEN from a secret", () => {
    expect(prometheus.volumes).toContain('./deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro');
    expect(prometheus.command).toContain('--config.file=/etc/prometheus/prometheus.yml');
    const [job] = config.scrape_configs;
    expect(job!.metrics_path).toBe('/metrics');
    expect(job!.static_configs).toEqual([{ targets: ['api:3001'] }]);
    expect(job!.authorization).toEqual({ type: 'Bearer', credentials_file: '/run/secrets/metrics_token' });
    expect(prometheus.secrets).toEqual(['metrics_token']);
    expect(compose.secrets).toEqual({ metrics_token: { environment: 'METRICS_TOKEN' } });
    // the API reads the same variable, and the file never holds a token itself
    expect(compose.services.api!.environment!.METRICS_TOKEN).toBe('${METRICS_TOKEN:?set METRICS_TOKEN in .env}');
    expect(readFileSync('deploy/prometheus/prometheus.yml', 'utf8')).not.toMatch(/credentials:|bearer_token:/);
  });

  it("gives Grafana the platform dashboard's provisioning and dashboards, read-only", () => {
    const volumes = compose.services.grafana!.volumes!;
    expect(volumes).toContain(`./${PLATFORM_GRAFANA_DIR}/provisioning:/etc/grafana/provisioning:ro`);
    expect(volumes).toContain(`./${PLATFORM_GRAFANA_DIR}/dashboards:${PLATFORM_DASHBOARDS_MOUNT}:ro`);
    expect(existsSync(`${PLATFORM_GRAFANA_DIR}/dashboards/chatbot-platform.json`)).toBe(true);
  });
});
