import { type Model, type ModelStatus } from '../api/types';
import { percent } from '../format';

const STAGES: { status: ModelStatus; label: string }[] = [
  { status: 'queued', label: 'Queued' },
  { status: 'preparing', label: 'Preparing photos' },
  { status: 'training', label: 'Training' },
  { status: 'registering', label: 'Registering on the endpoint' },
  { status: 'ready', label: 'Ready' },
];

/** The training's stages with the time each began, as the model record keeps them. */
export function TrainingProgress({ model }: { model: Model }) {
  const reached = STAGES.filter((s) => model.stages[s.status]).length;
  // The worker reports progress in percent (5 prepared, 10 submitted, … 100 warmed).
  const fraction = model.status === 'ready' ? 1 : model.progress / 100;
  const ended = model.status === 'failed' || model.status === 'canceled' || model.status === 'deleted';
  return (
    <div className="training-progress">
      <div
        className="progress"
        role="progressbar"
        aria-label="Training progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(fraction * 100)}
      >
        <div className="progress-bar" style={{ width: percent(fraction) }} />
      </div>
      <ol className="stages">
        {STAGES.map((stage, i) => {
          const at = model.stages[stage.status];
          const current = !ended && i === reached - 1 && model.status !== 'ready';
          return (
            <li key={stage.status} className={at ? (current ? 'stage-current' : 'stage-done') : 'stage-todo'}>
              <span>{stage.label}</span>
              {at && <time dateTime={at}>{new Date(at).toLocaleTimeString()}</time>}
            </li>
          );
        })}
        {ended && (
          <li className="stage-ended">
            <span>{model.status === 'failed' ? 'Failed' : model.status === 'canceled' ? 'Canceled' : 'Deleted'}</span>
            {model.failureReason && <span className="reason">{model.failureReason}</span>}
          </li>
        )}
      </ol>
    </div>
  );
}
