import { Match, type Template } from 'aws-cdk-lib/assertions';
import { actionsOf, API_BASE, policyStatements, resourcesOf } from './stack-fixture';

const json = (value: unknown) => JSON.stringify(value);

/** Storage, Redis, IAM and endpoint checks, on a stack configured with an HTTPS base URL. */
export function stackChecks(synth: () => Template): void {
  let template: Template;
  beforeAll(() => {
    template = synth();
  });

  describe('S3 bucket', () => {
    it('encrypts with SSE-S3 and blocks every kind of public access', () => {
      template.hasResourceProperties('AWS::S3::Bucket', {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
      });
    });

    it('denies every request made without TLS (enforceSSL)', () => {
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    });

    it('expires generated images and manifests by tag, and async outputs by prefix', () => {
      template.hasResourceProperties('AWS::S3::Bucket', {
        LifecycleConfiguration: {
          Rules: Match.arrayWith([
            Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
            Match.objectLike({
              Id: 'generated-images-and-manifests',
              TagFilters: [{ Key: 'dq-retention', Value: 'generated' }],
              ExpirationInDays: 90,
            }),
            Match.objectLike({ Id: 'async-output', Prefix: 'async-output/', ExpirationInDays: 30 }),
          ]),
        },
      });
    });
  });

  describe('Redis (ElastiCache)', () => {
    it('never evicts keys (parameter group maxmemory-policy noeviction)', () => {
      template.hasResourceProperties('AWS::ElastiCache::ParameterGroup', {
        CacheParameterGroupFamily: 'redis7',
        Properties: { 'maxmemory-policy': 'noeviction' },
      });
    });

    it('runs Redis 7.1 with TLS required, AUTH from Secrets Manager, and a Multi-AZ replica', () => {
      template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
        Engine: 'redis',
        EngineVersion: '7.1',
        TransitEncryptionEnabled: true,
        TransitEncryptionMode: 'required',
        AtRestEncryptionEnabled: true,
        MultiAZEnabled: true,
        AutomaticFailoverEnabled: true,
        NumCacheClusters: 2,
      });
      const [group] = Object.values(template.findResources('AWS::ElastiCache::ReplicationGroup'));
      expect(json(group!.Properties.AuthToken)).toContain('{{resolve:secretsmanager:');
    });

    it('hands the apps a rediss:// URL from Secrets Manager, not a plain environment variable', () => {
      for (const def of Object.values(template.findResources('AWS::ECS::TaskDefinition'))) {
        const [container] = def.Properties.ContainerDefinitions;
        expect(container.Secrets).toEqual(expect.arrayContaining([expect.objectContaining({ Name: 'REDIS_URL' })]));
        expect(container.Environment.map((e: { Name: string }) => e.Name)).not.toContain('REDIS_URL');
      }
      const secrets = template.findResources('AWS::SecretsManager::Secret');
      expect(Object.values(secrets).some((s) => String(json(s.Properties.SecretString)).includes('rediss://:'))).toBe(
        true,
      );
    });
  });

  describe('IAM least privilege', () => {
    const invokeStatements = () =>
      policyStatements(template).filter(({ statement }) =>
        actionsOf(statement).some((a) => a.startsWith('sagemaker:Invoke')),
      );

    it('allows sagemaker:Invoke* only on the two endpoint ARNs, never on *', () => {
      const statements = invokeStatements();
      expect(statements).toHaveLength(1);
      const { statement } = statements[0]!;
      expect(actionsOf(statement).sort()).toEqual(['sagemaker:InvokeEndpoint', 'sagemaker:InvokeEndpointAsync']);
      const resources = resourcesOf(statement);
      expect(resources).toHaveLength(2);
      expect(resources).not.toContain('*');
      expect(json(resources)).toContain(':endpoint/dreamqueue-training');
      expect(json(resources)).toContain(':endpoint/dreamqueue-mme');
    });

    it('gives the invoke permission to the worker task role only', () => {
      const [{ roles }] = invokeStatements();
      expect(json(roles)).toContain('WorkerTaskRole');
      expect(json(roles)).not.toContain('ApiTaskRole');
    });

    it('scopes every S3 object permission of the app roles to a known prefix', () => {
      const appStatements = policyStatements(template).filter(({ roles }) =>
        /ApiTaskRole|WorkerTaskRole/.test(json(roles)),
      );
      const objectResources = appStatements
        .filter(({ statement }) => actionsOf(statement).some((a) => a.startsWith('s3:') && a !== 's3:ListBucket'))
        .flatMap(({ statement }) => resourcesOf(statement).map(json));
      expect(objectResources.length).toBeGreaterThan(0);
      for (const resource of objectResources)
        expect(resource).toMatch(/\/(tenants|mme-models|async-output|async-failures)\/\*/);
    });

    it('lets the api put and read tenant objects but not invoke SageMaker', () => {
      const api = policyStatements(template).filter(({ roles }) => json(roles).includes('ApiTaskRole'));
      const actions = api.flatMap(({ statement }) => actionsOf(statement));
      expect(actions).toEqual(expect.arrayContaining(['s3:PutObject', 's3:GetObject', 'sagemaker:DescribeEndpoint']));
      expect(actions.filter((a) => a.startsWith('sagemaker:Invoke'))).toEqual([]);
      const put = api.find(({ statement }) => actionsOf(statement).includes('s3:PutObject'))!;
      expect(json(put.statement.Resource)).toContain('/tenants/*');
    });
  });

  describe('SageMaker async training endpoint', () => {
    it('writes outputs and failures to S3 and notifies success and error topics', () => {
      template.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
        AsyncInferenceConfig: {
          OutputConfig: {
            S3OutputPath: Match.anyValue(),
            S3FailurePath: Match.anyValue(),
            NotificationConfig: { SuccessTopic: Match.anyValue(), ErrorTopic: Match.anyValue() },
          },
          ClientConfig: { MaxConcurrentInvocationsPerInstance: 2 },
        },
      });
      const config = Object.values(template.findResources('AWS::SageMaker::EndpointConfig')).find(
        (c) => c.Properties.AsyncInferenceConfig,
      )!;
      const output = config.Properties.AsyncInferenceConfig.OutputConfig;
      expect(json(output.S3FailurePath)).toContain('/async-failures/');
      expect(json(output.NotificationConfig.SuccessTopic)).not.toEqual(json(output.NotificationConfig.ErrorTopic));
    });

    it('subscribes the API SNS receiver over HTTPS to both topics', () => {
      template.resourceCountIs('AWS::SNS::Subscription', 2);
      template.allResourcesProperties('AWS::SNS::Subscription', {
        Protocol: 'https',
        Endpoint: `${API_BASE}/v1/notifications/sns`,
      });
    });
  });

  describe('multi-model endpoint', () => {
    it('serves every artifact under the MME prefix from a Triton model in MultiModel mode', () => {
      template.hasResourceProperties('AWS::SageMaker::Model', {
        PrimaryContainer: Match.objectLike({
          Mode: 'MultiModel',
          Image: Match.stringLikeRegexp('sagemaker-tritonserver'),
        }),
      });
      const mme = Object.values(template.findResources('AWS::SageMaker::Model')).find(
        (m) => m.Properties.PrimaryContainer.Mode === 'MultiModel',
      )!;
      expect(json(mme.Properties.PrimaryContainer.ModelDataUrl)).toContain('/mme-models/');
    });
  });
}
