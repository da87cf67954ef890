import { BOOLEAN_PARAMS, CLASS_PROMPT, NUMBER_PARAMS } from '../training-limits';

export type ParamValues = Record<string, string | boolean>;

/** The trainer's tuning parameters within the API's limits; empty fields keep the API's defaults. */
export function AdvancedParams({
  values,
  onChange,
  subjectClass,
  problems,
}: {
  values: ParamValues;
  onChange: (values: ParamValues) => void;
  subjectClass: string;
  problems: Record<string, string>;
}) {
  const set = (key: string, value: string | boolean) => onChange({ ...values, [key]: value });
  return (
    <details className="advanced">
      <summary>Advanced training settings</summary>
      <p className="hint">Empty fields use the API’s defaults (shown as placeholders).</p>
      <div className="grid">
        {NUMBER_PARAMS.map((p) => (
          <div className="field" key={p.key}>
            <label htmlFor={`param-${p.key}`}>{p.label}</label>
            <input
              id={`param-${p.key}`}
              type="number"
              inputMode={p.integer ? 'numeric' : 'decimal'}
              min={p.min}
              max={p.max}
              step={p.integer ? p.step : 'any'}
              placeholder={p.default !== undefined ? String(p.default) : 'same as rank'}
              value={String(values[p.key] ?? '')}
              onChange={(e) => set(p.key, e.target.value)}
              aria-describedby={`param-${p.key}-help`}
            />
            <small id={`param-${p.key}-help`}>
              {p.min}–{p.max} · {p.help}
            </small>
            {problems[`params.${p.key}`] && <span className="field-problem">{problems[`params.${p.key}`]}</span>}
          </div>
        ))}
        <div className="field field-wide">
          <label htmlFor="param-classPrompt">Class prompt</label>
          <input
            id="param-classPrompt"
            type="text"
            minLength={CLASS_PROMPT.min}
            maxLength={CLASS_PROMPT.max}
            placeholder={`a photo of ${subjectClass || 'person'}`}
            value={String(values.classPrompt ?? '')}
            onChange={(e) => set('classPrompt', e.target.value)}
          />
          {problems['params.classPrompt'] && <span className="field-problem">{problems['params.classPrompt']}</span>}
        </div>
        {BOOLEAN_PARAMS.map((p) => (
          <div className="field field-check" key={p.key}>
            <input
              id={`param-${p.key}`}
              type="checkbox"
              checked={(values[p.key] as boolean | undefined) ?? p.default}
              onChange={(e) => set(p.key, e.target.checked)}
            />
            <label htmlFor={`param-${p.key}`}>
              {p.label} <small>({p.help})</small>
            </label>
          </div>
        ))}
      </div>
    </details>
  );
}

/** Only what the user set, typed as the API wants it. */
export function paramsFrom(values: ParamValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of NUMBER_PARAMS) {
    const raw = values[p.key];
    if (typeof raw === 'string' && raw.trim() !== '') out[p.key] = Number(raw);
  }
  if (typeof values.classPrompt === 'string' && values.classPrompt.trim() !== '')
    out.classPrompt = values.classPrompt.trim();
  for (const p of BOOLEAN_PARAMS)
    if (typeof values[p.key] === 'boolean' && values[p.key] !== p.default) out[p.key] = values[p.key];
  return out;
}
