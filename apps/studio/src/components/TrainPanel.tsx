import { useState, type FormEvent } from 'react';
import { type ApiError, fieldProblems, photoProblems } from '../api/api-error';
import { type StudioApi } from '../api/studio-api';
import { type Model } from '../api/types';
import { useLive } from '../use-live';
import { AdvancedParams, paramsFrom, type ParamValues } from './AdvancedParams';
import { ErrorNote } from './ErrorNote';
import { PhotoPicker, type PickedPhoto } from './PhotoPicker';
import { StatusBadge } from './StatusBadge';
import { TrainingProgress } from './TrainingProgress';

const FINISHED = ['ready', 'failed', 'canceled', 'deleted'];

/** Photos + name + subject class (+ advanced settings) → `POST /v1/models`, then the training live. */
export function TrainPanel({ api, onUseModel }: { api: StudioApi; onUseModel: (id: string) => void }) {
  const [photos, setPhotos] = useState<PickedPhoto[]>([]);
  const [name, setName] = useState('');
  const [subjectClass, setSubjectClass] = useState('person');
  const [params, setParams] = useState<ParamValues>({});
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const [trainingId, setTrainingId] = useState<string>();
  const live = useLive<Model>('model', trainingId, api.getModel, (m) => FINISHED.includes(m.status), 3_000);

  const problems = Object.fromEntries(error ? fieldProblems(error).map((p) => [p.field, p.reason]) : []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const cleared = photos.map(({ id, file }) => ({ id, file }));
    try {
      const model = await api.createModel({
        name,
        subjectClass,
        params: paramsFrom(params),
        photos: cleared.map((p) => p.file),
      });
      setPhotos([]);
      setName('');
      setParams({});
      setTrainingId(model.id);
      live.set(model);
    } catch (err) {
      const apiError = err as ApiError;
      setError(apiError);
      // Reasons refer to positions in this upload; pin each to its photo so removing one keeps the rest.
      const byIndex = new Map(photoProblems(apiError).map((p) => [p.index, p]));
      setPhotos(cleared.map((p, i) => (byIndex.has(i) ? { ...p, problem: byIndex.get(i) } : p)));
    } finally {
      setBusy(false);
    }
  };

  const model = live.value;
  return (
    <section aria-labelledby="train-title">
      <h2 id="train-title">Train a model</h2>
      {model && (
        <div className="card training" aria-live="polite" data-model-id={model.id}>
          <div className="model-head">
            <h3>{model.name}</h3>
            <StatusBadge status={model.status} />
          </div>
          <p className="trigger">
            Trigger: <code>{model.triggerPhrase}</code>
          </p>
          <TrainingProgress model={model} />
          <ErrorNote error={live.error} />
          <div className="actions">
            {model.status === 'ready' && (
              <button type="button" onClick={() => onUseModel(model.id)}>
                Generate with this model
              </button>
            )}
            {!FINISHED.includes(model.status) && (
              <button
                type="button"
                className="secondary"
                onClick={() =>
                  void api
                    .cancelModel(model.id)
                    .then(live.set)
                    .catch((e: ApiError) => setError(e))
                }
              >
                Cancel training
              </button>
            )}
            {model.status !== 'deleted' && (
              <button
                type="button"
                className="danger"
                onClick={() => {
                  if (window.confirm(`Delete “${model.name}”?`))
                    void api
                      .deleteModel(model.id)
                      .then(live.set)
                      .catch((e: ApiError) => setError(e));
                }}
              >
                Delete
              </button>
            )}
          </div>
        </div>
      )}
      <form className="card" onSubmit={(e) => void submit(e)} noValidate>
        <PhotoPicker photos={photos} onChange={setPhotos} />
        <div className="grid">
          <div className="field">
            <label htmlFor="model-name">Name</label>
            <input
              id="model-name"
              type="text"
              maxLength={100}
              value={name}
              onChange={(e) => setName(e.target.value)}
              placeholder="Ada"
              required
            />
            {problems.name && <span className="field-problem">{problems.name}</span>}
          </div>
          <div className="field">
            <label htmlFor="subject-class">Subject class</label>
            <input
              id="subject-class"
              type="text"
              maxLength={32}
              value={subjectClass}
              onChange={(e) => setSubjectClass(e.target.value)}
              aria-describedby="subject-class-help"
            />
            <small id="subject-class-help">What the photos show, in lowercase: person, man, woman, dog…</small>
            {problems.subjectClass && <span className="field-problem">{problems.subjectClass}</span>}
          </div>
        </div>
        <AdvancedParams values={params} onChange={setParams} subjectClass={subjectClass} problems={problems} />
        <ErrorNote error={error} />
        <button type="submit" disabled={busy || photos.length === 0 || name.trim() === ''}>
          {busy ? 'Uploading…' : 'Start training'}
        </button>
      </form>
    </section>
  );
}
