import { type GeneratedImage } from '../api/types';

/** Each image with its reproduction record: what it takes to make exactly this image again. */
export function Gallery({ images, onReuse }: { images: GeneratedImage[]; onReuse: (image: GeneratedImage) => void }) {
  return (
    <ul className="gallery">
      {images.map((image) => {
        const r = image.reproduction;
        return (
          <li key={image.index} className="card image">
            <figure>
              <img
                src={image.url}
                alt={`Image ${image.index + 1}: ${r.prompt}`}
                loading="lazy"
                width={512}
                height={512}
              />
              <figcaption>
                <dl className="record">
                  <dt>Prompt</dt>
                  <dd>{r.prompt}</dd>
                  {r.negativePrompt && (
                    <>
                      <dt>Negative</dt>
                      <dd>{r.negativePrompt}</dd>
                    </>
                  )}
                  <dt>Seed</dt>
                  <dd>{r.seed}</dd>
                  <dt>Steps</dt>
                  <dd>{r.steps}</dd>
                  <dt>Guidance</dt>
                  <dd>{r.guidance}</dd>
                  <dt>Model</dt>
                  <dd className="mono" title={r.model}>
                    {r.model}
                  </dd>
                  <dt>Artifact ETag</dt>
                  <dd className="mono" title={r.modelEtag}>
                    {r.modelEtag}
                  </dd>
                </dl>
              </figcaption>
            </figure>
            <div className="actions">
              <button type="button" className="secondary small" onClick={() => onReuse(image)}>
                Use these settings again
              </button>
              <a
                className="button secondary small"
                href={image.url}
                download={`image-${r.seed}.jpg`}
                target="_blank"
                rel="noreferrer"
              >
                Download
              </a>
            </div>
          </li>
        );
      })}
    </ul>
  );
}
