import { MODEL_PHOTOS } from '@dreamqueue/contracts';
import { AppError, badRequest } from '@dreamqueue/errors';
import {
  checkImage,
  findDuplicates,
  isProblem,
  type CheckedImage,
  type ImageProblem,
  type ImageRules,
} from './image-check';
import { type UploadedImage } from './multipart-intake';

const STATUS: Record<ImageProblem['code'], number> = {
  unsupported_image_type: 415,
  image_undecodable: 400,
  pixel_limit_exceeded: 400,
  image_too_small: 400,
  animated_image: 400,
  duplicate_image: 400,
};

/**
 * Checks every photo before anything is written: the count, then each image, then duplicates. The answer
 * names the first problem's code and lists one reason per bad photo in `details`. A wrong count is
 * reported first, with the per-photo reasons under `details.photos`, so one answer says everything to fix.
 */
export async function validatePhotos(images: UploadedImage[], rules: ImageRules): Promise<CheckedImage[]> {
  if (images.length < MODEL_PHOTOS.min || images.length > MODEL_PHOTOS.max) {
    // Past the maximum the upload was cut short (multipart intake), so only a short set is examined.
    const photos = images.length < MODEL_PHOTOS.min ? (await checkAll(images, rules)).problems : [];
    throw badRequest(
      'image_count_out_of_range',
      `Send ${MODEL_PHOTOS.min}–${MODEL_PHOTOS.max} photos in the "images" field; got ${images.length}.`,
      { min: MODEL_PHOTOS.min, max: MODEL_PHOTOS.max, received: images.length, photos },
    );
  }
  const { checked, problems } = await checkAll(images, rules);
  if (problems.length > 0) {
    const first = problems[0]!;
    const message = problems.length === 1 ? first.reason : `${problems.length} photos were rejected; see details.`;
    throw new AppError(first.code, message, { status: STATUS[first.code], details: problems });
  }
  return checked;
}

async function checkAll(
  images: UploadedImage[],
  rules: ImageRules,
): Promise<{ checked: CheckedImage[]; problems: ImageProblem[] }> {
  const results: (CheckedImage | ImageProblem)[] = [];
  // One at a time: a request holds at most one decoded photo in memory.
  for (const image of images) results.push(await checkImage(image.index, image.bytes, rules));
  const problems = [...results.filter(isProblem), ...findDuplicates(images)].sort((a, b) => a.index - b.index);
  return { checked: results.filter((r): r is CheckedImage => !isProblem(r)), problems };
}
