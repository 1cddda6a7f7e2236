// One constructor per way the session module refuses a call, named after the module's
// custom errors. Both the mapping of on-chain reverts (fromEntryPoint.ts) and the pre-flight
// check (src/policy/) build their errors here, so a refusal reads the same whichever found it.
import type { Address, Hex } from 'viem'
import { tokenFunctionSignatures } from '../constants/tokenFunctions.js'
import { CallNotPermittedError } from './session.js'

/** "transfer(address,uint256) (0xa9059cbb)" for a known token function, else the selector. */
export function describeSelector(selector: Hex): string {
  const name = tokenFunctionSignatures[selector.toLowerCase()]
  return name ? `${name} (${selector})` : selector
}

type Cause = { cause?: unknown }

export const callRefusals = {
  targetNotAllowed: (index: number, target: Address | undefined, { cause }: Cause = {}) =>
    new CallNotPermittedError({
      index,
      target,
      rule: 'destination',
      detail: `${target} is not a destination of the session`,
      cause,
    }),
  selectorNotAllowed: (index: number, target: Address | undefined, selector: Hex, { cause }: Cause = {}) =>
    new CallNotPermittedError({
      index,
      target,
      selector,
      rule: 'method',
      detail: `method ${describeSelector(selector)} is not allowed on ${target}`,
      cause,
    }),
  /** `rule` (what the rule says, e.g. "amount lte 100") is added when known. */
  ruleViolated: (
    index: number,
    target: Address | undefined,
    selector: Hex,
    ruleIndex: bigint | number,
    { cause, rule }: Cause & { rule?: string | undefined } = {},
  ) =>
    new CallNotPermittedError({
      index,
      target,
      selector,
      rule: 'argument',
      detail: `it breaks argument rule ${ruleIndex} of ${describeSelector(selector)}${rule ? ` (${rule})` : ''} on ${target}`,
      cause,
    }),
  valueNotAllowed: (index: number, value: bigint, { cause }: Cause = {}) =>
    new CallNotPermittedError({
      index,
      rule: 'value',
      detail: `it sends ${value} wei of native value, and the session allows none`,
      cause,
    }),
  valuePerCallExceeded: (
    index: number,
    target: Address | undefined,
    value: bigint,
    limit: bigint,
    { cause }: Cause = {},
  ) =>
    new CallNotPermittedError({
      index,
      target,
      rule: 'value',
      detail: `it sends ${value} wei, over the per-call limit of ${limit} wei`,
      cause,
    }),
  valueLimitExceeded: (
    index: number,
    target: Address | undefined,
    spent: bigint,
    value: bigint,
    limit: bigint,
    { cause }: Cause = {},
  ) =>
    new CallNotPermittedError({
      index,
      target,
      rule: 'value',
      detail: `${value} wei would bring the value sent to ${target} to ${spent + value}, over the limit of ${limit} wei`,
      cause,
    }),
  usesExceeded: (index: number, target: Address | undefined, maxUses: bigint, { cause }: Cause = {}) =>
    new CallNotPermittedError({
      index,
      target,
      rule: 'uses',
      detail: `the session may call ${target} ${maxUses} times, and has`,
      cause,
    }),
  callDataInvalid: (index: number, target: Address | undefined, { cause }: Cause = {}) =>
    new CallNotPermittedError({
      index,
      target,
      rule: 'calldata',
      detail: `its calldata to ${target} does not have the exact ABI shape of its function`,
      cause,
    }),
  calldataMalformed: ({ cause }: Cause = {}) =>
    new CallNotPermittedError({
      index: undefined,
      rule: 'calldata',
      detail: 'it is not a canonical execute(bytes32,bytes) call',
      cause,
    }),
  executionModeNotAllowed: (mode: Hex, { cause }: Cause = {}) =>
    new CallNotPermittedError({
      index: undefined,
      rule: 'execution-mode',
      detail: `execution mode ${mode} is not allowed (only single and batch calls)`,
      cause,
    }),
  callTypeNotAllowed: (index: number, target: Address | undefined, { cause }: Cause = {}) =>
    new CallNotPermittedError({
      index,
      target,
      rule: 'call-type',
      detail: `it runs in try-mode or as a delegatecall on ${target}, which its permission does not allow`,
      cause,
    }),
  timeClaimInvalid: (index: number, target: Address | undefined, claimed: bigint, { cause }: Cause = {}) =>
    new CallNotPermittedError({
      index,
      target,
      rule: 'period',
      detail:
        claimed === 0n
          ? `${target} has recurring limits and the operation claims no time: sign it with toSessionKeyAccount, which claims the time of the next block`
          : `it claims the time ${claimed}, before the recurring limits of ${target} start`,
      cause,
    }),
  periodStale: (index: number, target: Address | undefined, period: bigint, current: bigint, { cause }: Cause = {}) =>
    new CallNotPermittedError({
      index,
      target,
      rule: 'period',
      detail: `it claims period ${period} of the recurring limits of ${target}, and period ${current} was charged already: sign it again`,
      cause,
    }),
  periodPassed: ({ cause }: Cause = {}) =>
    new CallNotPermittedError({
      index: undefined,
      rule: 'period',
      detail:
        'it was validated outside the period its signature claims for the recurring limits (signed just before a period ended, or for a period not begun): sign it and send it again',
      cause,
    }),
  paymasterNotAllowed: (paymaster: Address, { cause }: Cause = {}) =>
    new CallNotPermittedError({
      index: undefined,
      rule: 'paymaster',
      detail: `paymaster ${paymaster} is not allowed by the session`,
      cause,
    }),
  /** `budget` (the whole budget granted) is added when known. */
  gasBudgetExceeded: (left: bigint, cost: bigint, { cause, budget }: Cause & { budget?: bigint | undefined } = {}) =>
    new CallNotPermittedError({
      index: undefined,
      rule: 'gas-budget',
      detail: `its maximum cost of ${cost} wei (every gas limit times the max fee) is more than the ${left} wei left of the session's gas budget${budget === undefined ? '' : ` of ${budget} wei`}`,
      cause,
    }),
}
