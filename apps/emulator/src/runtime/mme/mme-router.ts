import { type MmeInstance } from './mme-instance';

/**
 * Picks the instance that serves one request, the way SageMaker routes a multi-model endpoint's traffic:
 * a model's requests go to an instance that already holds it (loaded, or loading); when every instance
 * holding it is busy, a further instance with room loads it and takes part of the traffic; a model held
 * nowhere is loaded on the instance with the fewest outstanding requests (then the most free model memory),
 * even a busy one, since a load uses no inference slot. `undefined` means every instance that could serve
 * the model is busy: the endpoint throttles.
 *
 * AWS, "How multi-model endpoints work": requests for a model keep going to the instance where it is
 * already loaded; if that model receives many requests and the endpoint has more instances, some are
 * routed to another instance, which downloads and loads the model too.
 */
export function routeRequest(
  instances: readonly MmeInstance[],
  targetModel: string,
  slotsPerInstance: number,
): MmeInstance | undefined {
  const holders = instances.filter((i) => i.holds(targetModel));
  const withRoom = (list: readonly MmeInstance[]) => list.filter((i) => i.busy < slotsPerInstance);
  // An instance still loading the model has room for as many requests as it has free slots once loaded.
  const holderRoom = holders.filter((i) =>
    i.has(targetModel) ? i.busy < slotsPerInstance : i.outstanding() < slotsPerInstance,
  );
  const holder = leastBusy(holderRoom);
  if (holder) return holder;
  const others = instances.filter((i) => !i.holds(targetModel));
  const further = leastBusy(withRoom(others));
  if (further) return further;
  return holders.length === 0 ? leastBusy(instances) : undefined;
}

function leastBusy(list: readonly MmeInstance[]): MmeInstance | undefined {
  let best: MmeInstance | undefined;
  for (const i of list) {
    if (
      !best ||
      i.outstanding() < best.outstanding() ||
      (i.outstanding() === best.outstanding() && i.loadedCount() < best.loadedCount())
    )
      best = i;
  }
  return best;
}
