import { Queue, type ConnectionOptions, type DefaultJobOptions } from 'bullmq';
import { type z } from 'zod';

/** Everything that defines one queue: its name, what a job carries, what it returns, and how it retries. */
export interface QueueDefinition<Name extends string, Payload extends z.ZodType, Result extends z.ZodType> {
  readonly name: Name;
  readonly payload: Payload;
  readonly result: Result;
  readonly defaultJobOptions: DefaultJobOptions;
}

export function defineQueue<Name extends string, Payload extends z.ZodType, Result extends z.ZodType>(
  definition: QueueDefinition<Name, Payload, Result>,
): QueueDefinition<Name, Payload, Result> {
  return Object.freeze(definition);
}

export type PayloadOf<D> = D extends QueueDefinition<string, infer P, z.ZodType> ? z.output<P> : never;
export type ResultOf<D> = D extends QueueDefinition<string, z.ZodType, infer R> ? z.output<R> : never;
export type TypedQueue<D> =
  D extends QueueDefinition<infer N, infer P, infer R> ? Queue<z.output<P>, z.output<R>, N> : never;

export interface QueueConnection {
  connection: ConnectionOptions;
  /** Hash-tagged key prefix shared by every queue of one deployment, e.g. `{dq}`. */
  prefix: string;
}

/** The typed factory every producer and worker uses; queue names never appear as string literals elsewhere. */
export function createQueue<D extends QueueDefinition<string, z.ZodType, z.ZodType>>(
  definition: D,
  { connection, prefix }: QueueConnection,
): TypedQueue<D> {
  return new Queue(definition.name, {
    connection,
    prefix,
    defaultJobOptions: definition.defaultJobOptions,
  }) as TypedQueue<D>;
}
