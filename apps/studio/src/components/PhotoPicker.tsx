import { useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { PHOTOS } from '../training-limits';

export interface PickedPhoto {
  id: number;
  file: File;
  /** What the API said about this photo at the last attempt, if anything. */
  problem?: { code: string; reason: string };
}

/** A drop zone (and a file button, for keyboards) with a thumbnail and the API's verdict per photo. */
export function PhotoPicker({
  photos,
  onChange,
}: {
  photos: PickedPhoto[];
  onChange: (photos: PickedPhoto[]) => void;
}) {
  const nextId = useRef(1);
  const [dragging, setDragging] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const urls = useMemo(() => new Map(photos.map((p) => [p.id, URL.createObjectURL(p.file)])), [photos]);
  useEffect(() => () => urls.forEach((u) => URL.revokeObjectURL(u)), [urls]);

  const add = (files: FileList | null) => {
    if (!files) return;
    const added = Array.from(files).map((file) => ({ id: nextId.current++, file }));
    onChange([...photos, ...added]);
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    add(e.dataTransfer.files);
  };
  const count = photos.length;
  const countOk = count >= PHOTOS.min && count <= PHOTOS.max;

  return (
    <div className="field">
      <span className="label" id="photos-label">
        Photos
      </span>
      <div
        className={`drop-zone${dragging ? ' drop-zone-active' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        aria-labelledby="photos-label"
      >
        <p>
          Drop {PHOTOS.min}–{PHOTOS.max} photos of one person here (JPEG, PNG or WebP, at least 256 px on the short
          side), or
        </p>
        <label className="button secondary" htmlFor="photo-input">
          choose photos
        </label>
        <input
          ref={input}
          id="photo-input"
          className="visually-hidden"
          type="file"
          accept="image/jpeg,image/png,image/webp"
          multiple
          onChange={(e) => {
            add(e.target.files);
            e.target.value = '';
          }}
        />
      </div>
      <p className={`count ${count === 0 ? '' : countOk ? 'count-ok' : 'count-bad'}`} aria-live="polite">
        {count === 0
          ? 'No photos yet.'
          : `${count} photo${count === 1 ? '' : 's'}${countOk ? '' : ` — a model needs ${PHOTOS.min} to ${PHOTOS.max}`}`}
      </p>
      {count > 0 && (
        <ul className="photo-grid">
          {photos.map((p, i) => (
            <li key={p.id} className={p.problem ? 'photo photo-bad' : 'photo'} data-photo-index={i}>
              <img src={urls.get(p.id)} alt={`Photo ${i + 1}: ${p.file.name}`} />
              <div className="photo-caption">
                <span className="photo-name" title={p.file.name}>
                  #{i + 1} {p.file.name}
                </span>
                {p.problem && (
                  <span className="photo-problem" role="note" data-code={p.problem.code}>
                    {p.problem.reason}
                  </span>
                )}
              </div>
              <button
                type="button"
                className="remove"
                aria-label={`Remove photo ${i + 1}`}
                onClick={() => onChange(photos.filter((x) => x.id !== p.id))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
