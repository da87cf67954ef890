import { type StudioApi } from '../api/studio-api';
import { type Model } from '../api/types';

/** What a panel that works on one picked model (generate, batches) is given. */
export interface ModelPanelProps {
  api: StudioApi;
  models: Model[];
  modelId: string | undefined;
  onPickModel: (id: string) => void;
}

/** A select of the tenant's ready models; says so when there is none yet. */
export function ModelPicker({
  models,
  value,
  onChange,
  id,
}: {
  models: Model[];
  value: string | undefined;
  onChange: (id: string) => void;
  id: string;
}) {
  const ready = models.filter((m) => m.status === 'ready');
  if (ready.length === 0)
    return (
      <p className="empty">No ready model yet. Train one first; it appears here once its training has finished.</p>
    );
  return (
    <div className="field">
      <label htmlFor={id}>Model</label>
      <select id={id} value={value ?? ''} onChange={(e) => onChange(e.target.value)}>
        <option value="" disabled>
          Choose a model…
        </option>
        {ready.map((m) => (
          <option key={m.id} value={m.id}>
            {m.name} — {m.triggerPhrase}
          </option>
        ))}
      </select>
    </div>
  );
}
