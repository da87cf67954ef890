import { type ModelRecord } from '@dreamqueue/records';
import { type ModelView } from '../openapi/resource-schemas';

/** The public shape of a model: no internal fields (TargetModel, keys, inference ids). */
export function modelView(record: ModelRecord): ModelView {
  return {
    id: record.id,
    object: 'model' as const,
    name: record.name,
    status: record.status,
    progress: record.progress,
    subjectClass: record.subjectClass,
    token: record.token,
    triggerPhrase: record.triggerPhrase,
    params: {
      ...record.params,
      loraAlpha: record.params.loraAlpha ?? record.params.loraRank,
      classPrompt: record.params.classPrompt ?? `a photo of ${record.subjectClass}`,
    },
    photoCount: record.photoCount,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    stages: record.stages,
    ...(record.failureReason && { failureReason: record.failureReason }),
  };
}
