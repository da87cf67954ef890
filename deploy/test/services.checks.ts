import { Match, type Template } from 'aws-cdk-lib/assertions';
type Container = {
  Name: string;
  Command: string[];
  Environment: Array<{ Name: string; Value: unknown }>;
  Secrets?: Array<{ Name: string; ValueFrom: unknown }>;
  HealthCheck?: { Command: string[] };
};
const env = (c: Container) => Object.fromEntries(c.Environment.map((e) => [e.Name, e.Value]));

/** api/worker checks, on a stack with custom settings (admin CIDR, instance type, MME limit). */
export function servicesChecks(synth: () => Template): void {
  let template: Template;
  beforeAll(() => {
    template = synth();
  });
  const containers = (): Container[] =>
    Object.values(template.findResources('AWS::ECS::TaskDefinition')).map(
      (d) => d.Properties.ContainerDefinitions[0] as Container,
    );
  const byName = (name: string) => containers().find((c) => c.Name === name)!;

  describe('api and worker services (custom settings)', () => {
    it('points the apps at real AWS: no S3_ENDPOINT or SAGEMAKER_ENDPOINT, no static keys', () => {
      for (const c of containers()) {
        const names = Object.keys(env(c));
        for (const forbidden of ['S3_ENDPOINT', 'SAGEMAKER_ENDPOINT', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'])
          expect(names).not.toContain(forbidden);
        expect(env(c)).toMatchObject({
          QUEUE_PREFIX: '{dq}',
          TRAINING_ENDPOINT: 'dreamqueue-training',
          MME_ENDPOINT: 'dreamqueue-mme',
          MME_PREFIX: 'mme-models/',
        });
      }
    });

    it('runs the api and worker commands from one image, with health checks on /healthz', () => {
      expect(byName('api').Command).toEqual(['node', 'apps/api/dist/main.js']);
      expect(env(byName('api'))).toMatchObject({ PORT: '3000', HOST: '0.0.0.0' });
      expect(byName('worker').Command).toEqual(['node', 'apps/worker/dist/main.js']);
      expect(byName('worker').HealthCheck!.Command.join(' ')).toContain('127.0.0.1:3001/healthz');
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { HealthCheckPath: '/healthz' });
    });

    it('production defaults: /metrics needs a token from Secrets Manager, SNS is verified, the ALB is the one trusted proxy', () => {
      for (const name of ['api', 'worker']) {
        const secrets = (byName(name).Secrets ?? []).map((s) => s.Name);
        expect([name, secrets]).toEqual([name, expect.arrayContaining(['REDIS_URL', 'METRICS_TOKEN'])]);
        expect(Object.keys(env(byName(name)))).not.toContain('METRICS_TOKEN');
      }
      const api = env(byName('api'));
      expect(api.TRUST_PROXY).toBe('1');
      expect(api.SNS_ALLOW_UNSIGNED).toBeUndefined();
      // Both completion topics, so the public receiver verifies signatures (and confirms subscriptions).
      const topics = JSON.stringify(api.SNS_TOPIC_ARNS);
      const topicIds = Object.keys(template.findResources('AWS::SNS::Topic'));
      expect(topicIds).toHaveLength(2);
      for (const id of topicIds) expect(topics).toContain(id);
      template.resourceCountIs('AWS::SecretsManager::Secret', 3);
    });

    it('signs SNS messages with SignatureVersion 2 (the only version the receiver accepts)', () => {
      const topics = Object.values(template.findResources('AWS::SNS::Topic'));
      expect(topics.map((t) => t.Properties.SignatureVersion)).toEqual(['2', '2']);
    });

    it('hides Bull Board and /v1/admin on the public listener except for allowed CIDRs', () => {
      const rules = Object.values(template.findResources('AWS::ElasticLoadBalancingV2::ListenerRule')).map(
        (r) => r.Properties,
      );
      const hidden = rules.find((r) => r.Actions[0].Type === 'fixed-response')!;
      expect(hidden.Conditions).toEqual([
        { Field: 'path-pattern', PathPatternConfig: { Values: ['/admin*', '/v1/admin*', '/metrics'] } },
      ]);
      expect(hidden.Actions[0].FixedResponseConfig.StatusCode).toBe('404');
      const allowed = rules.find((r) => r.Actions[0].Type === 'forward')!;
      expect(allowed.Priority).toBeLessThan(hidden.Priority);
      expect(JSON.stringify(allowed.Conditions)).toContain('10.8.0.0/16');
    });

    it('lets only the api and worker security groups reach Redis', () => {
      const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress'))
        .map((r) => r.Properties)
        .filter((p) => p.FromPort === 6379);
      expect(ingress).toHaveLength(2);
      for (const rule of ingress) expect(rule.SourceSecurityGroupId).toBeDefined();
    });

    it('honours instance types and limits from settings', () => {
      template.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
        AsyncInferenceConfig: Match.anyValue(),
        ProductionVariants: [Match.objectLike({ InstanceType: 'ml.g5.2xlarge' })],
      });
      template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
        ResourceId: 'endpoint/dreamqueue-mme/variant/AllTraffic',
        MaxCapacity: 6,
      });
    });
  });
}
