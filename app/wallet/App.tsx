import { useCallback, useEffect, useMemo, useState } from 'react'
import {
  createBundlerSubmitter,
  describeSession,
  getGrantSessionCalls,
  getRevokeAllSessionsCalls,
  getRevokeSessionCleanupCalls,
  getSessionExposure,
  getSessionStatus,
  getSpendingLimits,
  readTokenMetadata,
  type Session,
  type SessionDescription,
  type SessionExposure,
  type SessionStatus,
  serializeSession,
  signSessionGrant,
  type TokenMetadata,
} from 'session-keys'
import { type Hex, stringToHex } from 'viem'
import { type Clients, createClients, loadConfig } from '../lib/chain'
import { formatDuration, formatEth, formatLocalTime, formatTokens } from '../lib/format'
import {
  acceptRequest,
  grantedResponse,
  messageType,
  sessionFromRequest,
  type WalletError,
  type WalletRequest,
  type WalletResponse,
} from '../lib/protocol'
import { type ApprovedSession, loadApproved, saveApproved } from '../lib/sessions'
import { AddressText, Chip, Notice, Spinner, type Tone } from '../lib/ui'
import { type Balances, canGrantOffChain, openWallet, readBalances, type WalletAccount } from './account'

type Config = {
  chainId: number
  dappOrigin: string
  walletOrigin: string
  module: `0x${string}`
  token: { address: `0x${string}`; symbol: string; decimals: number }
}

const approvedStorage = 'wallet.sessions'

/** A request being shown: what the dapp asks for, as the SDK reads it. */
type Pending = {
  request: WalletRequest
  origin: string
  source: MessageEventSource
  view?:
    | {
        session: Session
        description: SessionDescription
        exposure: SessionExposure
        tokens: Record<string, TokenMetadata>
        ignored: string[]
      }
    | undefined
  error?: string | undefined
}

export function App() {
  const [config, setConfig] = useState<Config>()
  const [fatal, setFatal] = useState<string>()
  const [wallet, setWallet] = useState<WalletAccount>()
  const [balances, setBalances] = useState<Balances>()
  const [pending, setPending] = useState<Pending>()
  const [ignored, setIgnored] = useState<string[]>([])
  const [working, setWorking] = useState<string>()
  const [done, setDone] = useState<{ tone: Tone; title: string; detail?: string }>()
  const [approved, setApproved] = useState<ApprovedSession[]>([])
  const [dropped, setDropped] = useState(0)
  const clients = useMemo<Clients | undefined>(
    () => (config ? createClients(config.chainId, window.location.origin) : undefined),
    [config],
  )
  const popup = Boolean(window.opener)

  useEffect(() => {
    loadConfig<Config>().then(setConfig, (error: Error) => setFatal(error.message))
    const loaded = loadApproved(localStorage.getItem(approvedStorage))
    setApproved(loaded.sessions)
    setDropped(loaded.dropped)
  }, [])

  useEffect(() => {
    if (!clients) return
    openWallet(clients).then(setWallet, (error: Error) =>
      setFatal(`The wallet could not open its account: ${error.message}`),
    )
  }, [clients])

  const refresh = useCallback(async () => {
    if (!clients || !wallet || !config) return
    setBalances(await readBalances(clients, { address: wallet.address, token: config.token.address }))
  }, [clients, wallet, config])
  useEffect(() => {
    void refresh().catch(() => undefined)
  }, [refresh])

  // Requests: from the window that opened this one, at a known dapp origin, and nothing else.
  useEffect(() => {
    if (!config || !wallet) return
    const onMessage = (event: MessageEvent) => {
      const accepted = acceptRequest(event, { opener: window.opener, origins: [config.dappOrigin] })
      if ('ignored' in accepted) {
        if ((event.data as { type?: unknown } | null)?.type === messageType.request) {
          setIgnored((list) => [...list, accepted.ignored])
        }
        return
      }
      setPending({ request: accepted.request, origin: accepted.origin, source: event.source as MessageEventSource })
    }
    window.addEventListener('message', onMessage)
    // Tell the opener we listen (the message carries nothing).
    window.opener?.postMessage({ type: messageType.ready }, '*')
    return () => window.removeEventListener('message', onMessage)
  }, [config, wallet])

  // Read what the request asks for: the SDK checks it in full (it comes from the dapp).
  useEffect(() => {
    if (!pending || pending.view || pending.error || !clients || !wallet) return
    ;(async () => {
      try {
        const now = Math.floor(Date.now() / 1000)
        const { session, ignored } = sessionFromRequest(pending.request, { account: wallet.address, now })
        if (session.account.toLowerCase() !== wallet.address.toLowerCase()) {
          throw new Error(`The request is for the account ${session.account}, not this wallet's ${wallet.address}.`)
        }
        const description = await describeSession(clients.client, { session })
        const exposure = getSessionExposure({ session })
        const addresses = exposure.tokens.map((t) => t.token)
        const metadata = await readTokenMetadata(clients.client, { addresses })
        const tokens = Object.fromEntries(Object.entries(metadata).map(([a, meta]) => [a.toLowerCase(), meta]))
        setPending((p) => (p === pending ? { ...p, view: { session, description, exposure, tokens, ignored } } : p))
      } catch (error) {
        setPending((p) => (p === pending ? { ...p, error: (error as Error).message } : p))
      }
    })()
  }, [pending, clients, wallet])

  function answer(response: Omit<WalletResponse, 'type' | 'id'>) {
    if (!pending) return
    ;(pending.source as WindowProxy).postMessage(
      { type: messageType.response, id: pending.request.id, ...response },
      pending.origin,
    )
    setPending(undefined)
  }

  function reject(error: WalletError = { code: 4001, message: 'The user rejected the request.' }) {
    answer({ error })
    setDone({ tone: 'muted', title: 'Rejected. Nothing was granted.' })
    if (popup) setTimeout(() => window.close(), 900)
  }

  async function approve() {
    if (!pending?.view || !clients || !wallet) return
    const { session } = pending.view
    try {
      let grant: Awaited<ReturnType<typeof signSessionGrant>> | undefined
      if (await canGrantOffChain(clients, session)) {
        setWorking('Signing the grant (off-chain, no transaction)…')
        grant = await signSessionGrant(clients.client, { session, owner: wallet.owner })
      } else {
        setWorking('Creating your account and the session on chain…')
        const calls = await getGrantSessionCalls(clients.client, { session })
        await createBundlerSubmitter({ bundlerClient: clients.bundlerClient }).sendUserOperation({
          account: wallet.ownerAccount,
          calls,
        })
      }
      const context: Hex = stringToHex(serializeSession({ session, grant }))
      answer({ result: grantedResponse(pending.request, session, context) })
      const next = [...approved, { origin: pending.origin, approvedAt: Math.floor(Date.now() / 1000), session, grant }]
      setApproved(next)
      localStorage.setItem(approvedStorage, saveApproved(next))
      setDone({ tone: 'ok', title: `Approved. ${pending.origin} can now act within these limits.` })
      void refresh()
      if (popup) setTimeout(() => window.close(), 900)
    } catch (error) {
      setDone({ tone: 'bad', title: 'Approval failed: nothing was granted.', detail: (error as Error).message })
    } finally {
      setWorking(undefined)
    }
  }

  async function revoke(which: 'all' | Session) {
    if (!clients || !wallet) return
    setWorking(which === 'all' ? 'Revoking every session…' : 'Revoking the session…')
    try {
      // One session: revoked, and every allowance it gave that still stands reset to zero.
      const { calls, approvals } =
        which === 'all'
          ? { calls: getRevokeAllSessionsCalls(), approvals: [] }
          : await getRevokeSessionCleanupCalls(clients.client, { session: which })
      await createBundlerSubmitter({ bundlerClient: clients.bundlerClient }).sendUserOperation({
        account: wallet.ownerAccount,
        calls,
      })
      const reset = approvals.length === 0 ? '' : ` ${approvals.length} allowance(s) it gave were reset to zero.`
      setDone({ tone: 'ok', title: which === 'all' ? 'Every session is revoked.' : `The session is revoked.${reset}` })
    } catch (error) {
      setDone({ tone: 'bad', title: 'Revoking failed.', detail: (error as Error).message })
    } finally {
      setWorking(undefined)
    }
  }

  if (fatal) {
    return (
      <main>
        <Notice tone="bad" title="The wallet could not start.">
          {fatal}
        </Notice>
      </main>
    )
  }
  if (!config || !wallet || !clients) {
    return (
      <main>
        <Spinner label="Opening the wallet…" />
      </main>
    )
  }
  return (
    <main>
      <header className="top">
        <h1>Demo Wallet</h1>
        <span className="tag">{window.location.origin}</span>
      </header>
      <Notice tone="muted" title="A demo wallet on a local devnet.">
        Its owner key was made in this browser and is kept in its storage: never use such a wallet for real funds.
      </Notice>
      {ignored.map((why) => (
        <Notice key={why} tone="warn" title="Ignored a request.">
          {why}
        </Notice>
      ))}
      {done ? (
        <Notice tone={done.tone} title={done.title}>
          {done.detail}
        </Notice>
      ) : null}
      {working ? <Spinner label={working} /> : null}
      {pending ? (
        <Approval pending={pending} config={config} onApprove={approve} onReject={reject} busy={Boolean(working)} />
      ) : null}
      <section className="card" aria-labelledby="account">
        <h2 id="account">Account</h2>
        <dl className="facts">
          <dt>Address</dt>
          <dd>
            <AddressText address={wallet.address} label="account address" />{' '}
            {balances ? (
              balances.deployed ? (
                <Chip tone="ok">Deployed</Chip>
              ) : (
                <Chip tone="muted">Not deployed yet: the first approval deploys it</Chip>
              )
            ) : null}
          </dd>
          <dt>Balance</dt>
          <dd>
            {balances ? `${formatEth(balances.eth)} · ${formatTokens(balances.token, config.token)}` : 'Loading…'}
          </dd>
        </dl>
      </section>
      {!pending ? (
        <SessionManager
          approved={approved}
          dropped={dropped}
          clients={clients}
          config={config}
          busy={Boolean(working)}
          onRevoke={revoke}
        />
      ) : null}
    </main>
  )
}

function Approval({
  pending,
  config,
  onApprove,
  onReject,
  busy,
}: {
  pending: Pending
  config: Config
  onApprove: () => void
  onReject: (error?: WalletError) => void
  busy: boolean
}) {
  if (pending.error) {
    return (
      <section className="card" aria-labelledby="approval">
        <h2 id="approval">{pending.origin} sent a request this wallet cannot approve</h2>
        <Notice tone="bad" title="The request was refused.">
          {pending.error}
        </Notice>
        <button type="button" onClick={() => onReject({ code: -32602, message: pending.error ?? 'invalid request' })}>
          Close and tell the dapp
        </button>
      </section>
    )
  }
  if (!pending.view) {
    return (
      <section className="card">
        <Spinner label={`Reading the request from ${pending.origin}…`} />
      </section>
    )
  }
  const { session, description, exposure, tokens, ignored } = pending.view
  // The worst case has its own box below.
  const facts = description.lines.filter(
    (line) => !description.warnings.includes(line) && !line.startsWith('Worst case over its whole life'),
  )
  const now = Math.floor(Date.now() / 1000)
  return (
    <section className="card" aria-labelledby="approval">
      <h2 id="approval">
        <span data-testid="requesting-origin">{pending.origin}</span> asks for a session key
      </h2>
      <p className="muted">
        If you approve, that site can send these operations from your account without asking you again, until the
        session ends or you revoke it. The chain enforces every limit below.
      </p>
      {description.warnings.length > 0 ? (
        <Notice tone="warn" title="Warnings">
          <ul className="warnings">
            {description.warnings.map((w) => (
              <li key={w}>{w.replace(/^⚠\s*/, '')}</li>
            ))}
          </ul>
        </Notice>
      ) : null}
      {ignored.length > 0 ? (
        <Notice tone="info" title="Left out (optional parts this wallet cannot enforce)">
          {ignored.join('\n')}
        </Notice>
      ) : null}
      <h3>What it may do</h3>
      <ul className="lines" data-testid="approval-lines">
        {facts.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
      <h3>The most it can cost you</h3>
      <dl className="facts" data-testid="worst-case">
        {exposure.tokens.map((t) => {
          const meta = tokens[t.token.toLowerCase()] ?? {}
          const unit = { decimals: meta.decimals ?? 0, symbol: meta.symbol ?? `units of ${t.token}` }
          return [
            <dt key={`${t.token}-t`}>{meta.name ?? t.token}</dt>,
            <dd key={`${t.token}-d`}>
              {t.max === 'unbounded' ? `Unbounded: ${t.reason}` : formatTokens(t.max, unit)}
            </dd>,
          ]
        })}
        <dt>ETH sent with calls</dt>
        <dd>
          {exposure.value.max === 'unbounded' ? `Unbounded: ${exposure.value.reason}` : formatEth(exposure.value.max)}
        </dd>
        <dt>Gas</dt>
        <dd>{exposure.gas.max === 'unbounded' ? `Unbounded: ${exposure.gas.reason}` : formatEth(exposure.gas.max)}</dd>
      </dl>
      <h3>Valid</h3>
      <p data-testid="validity">
        From {formatLocalTime(Math.max(session.validAfter, now))} until {formatLocalTime(session.validUntil)} (
        {formatDuration(session.validUntil - Math.max(session.validAfter, now))})
      </p>
      <p className="muted">
        Session key <AddressText address={session.sessionKey} label="session key" /> on chain {config.chainId}.
      </p>
      <div className="row">
        <button type="button" className="primary" onClick={onApprove} disabled={busy}>
          Approve
        </button>
        <button type="button" onClick={() => onReject()} disabled={busy}>
          Reject
        </button>
      </div>
    </section>
  )
}

type Row = {
  entry: ApprovedSession
  status?: SessionStatus | undefined
  left?: bigint | undefined
  limit?: bigint | undefined
  perPeriod?: boolean | undefined
  error?: string | undefined
}

const statusWords: Record<SessionStatus, [string, Tone]> = {
  active: ['Active', 'ok'],
  'not-found': ['Granted, not used yet', 'info'],
  revoked: ['Revoked', 'bad'],
  disabled: ['Paused', 'warn'],
  'not-yet-valid': ['Not started', 'muted'],
  expired: ['Expired', 'muted'],
}

function SessionManager({
  approved,
  dropped,
  clients,
  config,
  busy,
  onRevoke,
}: {
  approved: ApprovedSession[]
  dropped: number
  clients: Clients
  config: Config
  busy: boolean
  onRevoke: (which: 'all' | Session) => Promise<void>
}) {
  const [rows, setRows] = useState<Row[]>()
  const [tick, setTick] = useState(0)
  useEffect(() => {
    const timer = setInterval(() => setTick((t) => t + 1), 3000)
    return () => clearInterval(timer)
  }, [])
  // biome-ignore lint/correctness/useExhaustiveDependencies: tick re-reads the chain every few seconds
  useEffect(() => {
    let live = true
    Promise.all(
      approved.map(async (entry): Promise<Row> => {
        try {
          const [{ status }, limits] = await Promise.all([
            getSessionStatus(clients.client, { session: entry.session }),
            getSpendingLimits(clients.client, { session: entry.session }),
          ])
          // A recurring allowance: what is left in the current period.
          const shown = limits[0]?.period ?? limits[0]
          return { entry, status, left: shown?.remaining, limit: shown?.limit, perPeriod: Boolean(limits[0]?.period) }
        } catch (error) {
          return { entry, error: (error as Error).message }
        }
      }),
    ).then((next) => live && setRows(next))
    return () => {
      live = false
    }
  }, [approved, clients, tick, busy])
  const now = Math.floor(Date.now() / 1000)
  const live = rows?.filter((r) => r.status === 'active' || r.status === 'not-found') ?? []
  return (
    <section className="card" aria-labelledby="sessions">
      <div className="spread">
        <h2 id="sessions">Sessions</h2>
        <button type="button" className="danger" onClick={() => onRevoke('all')} disabled={busy || live.length === 0}>
          Revoke all
        </button>
      </div>
      {dropped > 0 ? (
        <Notice tone="warn" title={`${dropped} stored session record(s) were damaged and are not shown.`} />
      ) : null}
      {!rows ? (
        <Spinner label="Reading your sessions from the chain…" />
      ) : rows.length === 0 ? (
        <p className="muted">No sessions yet. The sessions you approve for dapps appear here.</p>
      ) : (
        <table className="sessions">
          <thead>
            <tr>
              <th scope="col">Dapp</th>
              <th scope="col">State</th>
              <th scope="col">Left</th>
              <th scope="col">Ends</th>
              <th scope="col">
                <span className="muted">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {[...rows].reverse().map((row) => {
              const { session } = row.entry
              const [word, tone] = row.status ? statusWords[row.status] : ['Unknown', 'muted' as Tone]
              const usable = row.status === 'active' || row.status === 'not-found'
              return (
                <tr key={session.id} data-session={session.id}>
                  <td>
                    {row.entry.origin}
                    <div className="log-detail">
                      key <AddressText address={session.sessionKey} label="session key" />
                    </div>
                  </td>
                  <td>{row.error ? <Chip tone="bad">Unreadable</Chip> : <Chip tone={tone}>{word}</Chip>}</td>
                  <td>
                    {row.left !== undefined && row.limit !== undefined
                      ? `${formatTokens(row.left, config.token)} of ${formatTokens(row.limit, config.token)}${row.perPeriod ? ' this period' : ''}`
                      : '—'}
                  </td>
                  <td>
                    {formatLocalTime(session.validUntil)}
                    <div className="log-detail">{formatDuration(session.validUntil - now)} left</div>
                  </td>
                  <td>
                    <button
                      type="button"
                      className="danger"
                      onClick={() => onRevoke(session)}
                      disabled={busy || !usable}
                      aria-label={`Revoke the session of ${row.entry.origin} with key ${session.sessionKey}`}
                    >
                      Revoke
                    </button>
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
      )}
    </section>
  )
}
