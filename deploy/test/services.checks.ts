import { Match, type Template } from 'aws-cdk-lib/assertions';
type Container = {
  Name: string;
  Command: string[];
  Environment: Array<{ Name: string; Value: unknown }>;
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

    it('hides Bull Board and /v1/admin on the public listener except for allowed CIDRs', () => {
      const rules = Object.values(template.findResources('AWS::ElasticLoadBalancingV2::ListenerRule')).map(
        (r) => r.Properties,
      );
      const hidden = rules.find((r) => r.Actions[0].Type === 'fixed-response')!;
      expect(hidden.Conditions).toEqual([
        { Field: 'path-pattern', PathPatternConfig: { Values: ['/admin*', '/v1/admin*'] } },
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
