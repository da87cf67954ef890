import { createContext, useContext, useEffect, useRef } from 'react';
import { type StudioEvent } from './api/types';

type Listener = (event: StudioEvent) => void;

/** Fans the one event stream out to the panels that care. */
export class EventHub {
  private readonly listeners = new Set<Listener>();
  emit(event: StudioEvent) {
    for (const listener of this.listeners) listener(event);
  }
  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export const EventsContext = createContext<EventHub>(new EventHub());

/** Calls `handler` for every event about `resource` (and, when given, that one id). */
export function useResourceEvents(resource: string, id: string | undefined, handler: (event: StudioEvent) => void) {
  const hub = useContext(EventsContext);
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(
    () =>
      hub.on((event) => {
        if (event.resource === resource && (id === undefined || event.resourceId === id)) latest.current(event);
      }),
    [hub, resource, id],
  );
}
