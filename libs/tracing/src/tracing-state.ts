/**
 * Whether `startTracing` ran in this process. The span helpers check it first, so with tracing off
 * (the default) they cost one boolean test and never touch the OpenTelemetry API.
 */
let enabled = false;

export function isTracingEnabled(): boolean {
  return enabled;
}

export function setTracingEnabled(value: boolean): void {
  enabled = value;
}
