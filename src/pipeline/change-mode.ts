// Changing a mode, from the modes page or the report's one click: validated (a
// person-needed type never goes auto) and audited in one write (db/modes.ts).
import { setModeRule } from '../db/modes';
import type { RolloutMode } from '../domain';
import type { Deps } from '../deps';
import { AppError } from '../errors';
import { ANY, checkModeChange, normalizeAddress } from '../rollout/modes';

export async function changeMode(
  scope: { address: string | null; requestType: string },
  mode: RolloutMode | null,
  actor: string,
  deps: Pick<Deps, 'db' | 'clock'>,
): Promise<{ changed: boolean }> {
  const problem = checkModeChange(scope.requestType, mode);
  if (problem) throw new AppError(problem.code, 422, problem.message, { fields: [{ field: 'mode', message: problem.message }] });
  const address = normalizeAddress(scope.address) || ANY;
  return setModeRule(deps.db, { address, requestType: scope.requestType }, mode, actor, deps.clock.now());
}
