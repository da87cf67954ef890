import { useState, type FormEvent } from 'react';
import { type ApiError, fieldProblems } from '../api/api-error';
import { type GeneratedImage, type Generation } from '../api/types';
import { GENERATION_LIMITS as L } from '../training-limits';
import { ErrorNote } from './ErrorNote';
import { GenerationCard } from './GenerationCard';
import { ModelPicker, type ModelPanelProps } from './ModelPicker';
import { NumberField } from './NumberField';

interface Settings {
  prompt: string;
  negativePrompt: string;
  steps: string;
  guidance: string;
  numImages: string;
  seedMode: 'random' | 'fixed';
  seed: string;
}

const INITIAL: Settings = {
  prompt: '{trigger} as an astronaut, studio light, detailed',
  negativePrompt: 'blurry, low quality',
  steps: String(L.steps.default),
  guidance: String(L.guidance.default),
  numImages: String(L.numImages.default),
  seedMode: 'random',
  seed: '',
};

/** The guidance's app: prompt, negative prompt, steps, guidance, seed, 1–8 images, and a gallery. */
export function GeneratePanel({ api, models, modelId, onPickModel }: ModelPanelProps) {
  const [s, setS] = useState<Settings>(INITIAL);
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const [history, setHistory] = useState<string[]>([]);
  const model = models.find((m) => m.id === modelId && m.status === 'ready');
  const set = (patch: Partial<Settings>) => setS((prev) => ({ ...prev, ...patch }));
  const problems = Object.fromEntries(error ? fieldProblems(error).map((p) => [p.field, p.reason]) : []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!model) return;
    setBusy(true);
    setError(undefined);
    try {
      const g = await api.createGeneration({
        model: model.id,
        prompt: s.prompt,
        negativePrompt: s.negativePrompt,
        numImages: Number(s.numImages),
        steps: Number(s.steps),
        guidance: Number(s.guidance),
        ...(s.seedMode === 'fixed' && s.seed.trim() !== '' && { seed: Number(s.seed) }),
      });
      setHistory((h) => [g.id, ...h]);
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };

  /** Back to the form: the recorded prompt (with the trigger phrase as `{trigger}` again), seed fixed. */
  const reuse = (g: Generation, image?: GeneratedImage) => {
    const phrase = models.find((m) => m.id === g.model)?.triggerPhrase;
    const prompt = phrase ? g.prompt.split(phrase).join('{trigger}') : g.prompt;
    if (g.model !== modelId) onPickModel(g.model);
    setS({
      prompt,
      negativePrompt: g.negativePrompt,
      steps: String(g.steps),
      guidance: String(g.guidance),
      numImages: image ? '1' : String(g.numImages),
      seedMode: 'fixed',
      seed: String(image ? image.reproduction.seed : g.seed),
    });
    document.getElementById('prompt')?.focus();
  };

  return (
    <section aria-labelledby="generate-title">
      <h2 id="generate-title">Generate</h2>
      <form className="card" onSubmit={(e) => void submit(e)}>
        <ModelPicker id="generate-model" models={models} value={model?.id} onChange={onPickModel} />
        {model && (
          <p className="hint">
            <code>{'{trigger}'}</code> becomes <code>{model.triggerPhrase}</code>.
          </p>
        )}
        <div className="field">
          <label htmlFor="prompt">Prompt</label>
          <textarea
            id="prompt"
            rows={3}
            maxLength={L.promptMax}
            value={s.prompt}
            onChange={(e) => set({ prompt: e.target.value })}
            required
          />
          {problems.prompt && <span className="field-problem">{problems.prompt}</span>}
        </div>
        <div className="field">
          <label htmlFor="negative-prompt">Negative prompt</label>
          <textarea
            id="negative-prompt"
            rows={2}
            maxLength={L.promptMax}
            value={s.negativePrompt}
            onChange={(e) => set({ negativePrompt: e.target.value })}
          />
        </div>
        <div className="grid grid-4">
          <NumberField
            id="steps"
            label="Steps"
            min={L.steps.min}
            max={L.steps.max}
            value={s.steps}
            onChange={(steps) => set({ steps })}
            problem={problems.steps}
          />
          <NumberField
            id="guidance"
            label="Guidance"
            min={L.guidance.min}
            max={L.guidance.max}
            step={0.5}
            value={s.guidance}
            onChange={(guidance) => set({ guidance })}
            problem={problems.guidance}
          />
          <div className="field">
            <label htmlFor="num-images">Images</label>
            <select id="num-images" value={s.numImages} onChange={(e) => set({ numImages: e.target.value })}>
              {Array.from({ length: L.numImages.max }, (_, i) => String(i + 1)).map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </div>
          <fieldset className="field seed">
            <legend>Seed</legend>
            <div className="field-check">
              <input
                id="seed-random"
                type="radio"
                name="seed-mode"
                checked={s.seedMode === 'random'}
                onChange={() => set({ seedMode: 'random' })}
              />
              <label htmlFor="seed-random">Random</label>
            </div>
            <div className="field-check">
              <input
                id="seed-fixed"
                type="radio"
                name="seed-mode"
                checked={s.seedMode === 'fixed'}
                onChange={() => set({ seedMode: 'fixed' })}
              />
              <label htmlFor="seed-fixed">Fixed</label>
            </div>
            <label htmlFor="seed" className="visually-hidden">
              Seed value
            </label>
            <input
              id="seed"
              type="number"
              min={L.seed.min}
              max={L.seed.max}
              step={1}
              placeholder="e.g. 42"
              disabled={s.seedMode !== 'fixed'}
              value={s.seed}
              onChange={(e) => set({ seed: e.target.value })}
            />
            {problems.seed && <span className="field-problem">{problems.seed}</span>}
          </fieldset>
        </div>
        <ErrorNote error={error} />
        <button type="submit" disabled={busy || !model || s.prompt.trim() === ''}>
          {busy ? 'Sending…' : 'Generate images'}
        </button>
      </form>
      <p className="hint">
        On the local emulator the images are synthetic placeholders (colour patterns from the training photos), not
        Stable Diffusion output; against SageMaker they are the real thing.
      </p>
      {history.length === 0 ? (
        <p className="empty">Your generations from this session appear here.</p>
      ) : (
        <ul className="generations">
          {history.map((id) => (
            <GenerationCard key={id} api={api} id={id} onReuse={reuse} />
          ))}
        </ul>
      )}
    </section>
  );
}
