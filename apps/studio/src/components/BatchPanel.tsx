import { useState, type FormEvent } from 'react';
import { type ApiError } from '../api/api-error';
import { parsePromptsFile, type ParsedPrompts } from '../prompts-file';
import { GENERATION_LIMITS as L } from '../training-limits';
import { BatchCard } from './BatchCard';
import { ErrorNote } from './ErrorNote';
import { ModelPicker, type ModelPanelProps } from './ModelPicker';
import { NumberField } from './NumberField';

/** A prompts file (one per line, or NDJSON) → `POST /v1/batches`, then each batch live. */
export function BatchPanel({ api, models, modelId, onPickModel }: ModelPanelProps) {
  const [parsed, setParsed] = useState<ParsedPrompts & { name: string }>();
  const [negativePrompt, setNegativePrompt] = useState('');
  const [steps, setSteps] = useState(String(L.steps.default));
  const [guidance, setGuidance] = useState(String(L.guidance.default));
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const [batches, setBatches] = useState<string[]>([]);
  const model = models.find((m) => m.id === modelId && m.status === 'ready');

  const readFile = async (file: File | undefined) => {
    setError(undefined);
    if (!file) return setParsed(undefined);
    setParsed({ ...parsePromptsFile(await file.text()), name: file.name });
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!model || !parsed) return;
    setBusy(true);
    setError(undefined);
    try {
      const batch = await api.createBatch({
        model: model.id,
        defaults: { negativePrompt, steps: Number(steps), guidance: Number(guidance) },
        items: parsed.items,
      });
      setBatches((list) => [batch.id, ...list]);
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="batches-title">
      <h2 id="batches-title">Batches</h2>
      <form className="card" onSubmit={(e) => void submit(e)}>
        <ModelPicker id="batch-model" models={models} value={model?.id} onChange={onPickModel} />
        <div className="field">
          <label htmlFor="prompts-file">Prompts file</label>
          <input
            id="prompts-file"
            type="file"
            accept=".txt,.ndjson,.jsonl,text/plain,application/x-ndjson"
            onChange={(e) => void readFile(e.target.files?.[0])}
            aria-describedby="prompts-file-help"
          />
          <small id="prompts-file-help">
            One prompt per line, or NDJSON lines like <code>{'{"prompt":"{trigger} as a knight","seed":7}'}</code>.
          </small>
        </div>
        {parsed && (
          <div className="prompt-preview" aria-live="polite">
            <p>
              <strong>{parsed.items.length}</strong> prompt{parsed.items.length === 1 ? '' : 's'} in {parsed.name} (
              {parsed.format === 'ndjson' ? 'NDJSON' : 'one per line'})
            </p>
            {parsed.items.length > 0 && (
              <ol className="preview-lines">
                {parsed.items.slice(0, 3).map((item, i) => (
                  <li key={i}>{item.prompt}</li>
                ))}
                {parsed.items.length > 3 && <li className="more">…</li>}
              </ol>
            )}
            {parsed.problems.length > 0 && (
              <ul className="field-problem">
                {parsed.problems.slice(0, 5).map((p) => (
                  <li key={p.line}>
                    Line {p.line}: {p.reason}
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
        <div className="grid grid-3">
          <div className="field field-wide">
            <label htmlFor="batch-negative">Negative prompt (default for every line)</label>
            <input
              id="batch-negative"
              type="text"
              maxLength={L.promptMax}
              value={negativePrompt}
              onChange={(e) => setNegativePrompt(e.target.value)}
            />
          </div>
          <NumberField
            id="batch-steps"
            label="Steps"
            min={L.steps.min}
            max={L.steps.max}
            value={steps}
            onChange={setSteps}
          />
          <NumberField
            id="batch-guidance"
            label="Guidance"
            min={L.guidance.min}
            max={L.guidance.max}
            step={0.5}
            value={guidance}
            onChange={setGuidance}
          />
        </div>
        <ErrorNote error={error} />
        <button
          type="submit"
          disabled={busy || !model || !parsed || parsed.items.length === 0 || parsed.problems.length > 0}
        >
          {busy ? 'Sending…' : `Start batch${parsed ? ` of ${parsed.items.length}` : ''}`}
        </button>
      </form>
      {batches.length === 0 ? (
        <p className="empty">Batches you start in this session appear here.</p>
      ) : (
        <ul className="batches">
          {batches.map((id) => (
            <BatchCard key={id} api={api} id={id} />
          ))}
        </ul>
      )}
    </section>
  );
}
