import { useCallback, useEffect, useMemo, useState } from 'react'
import {
  createBundlerSubmitter,
  generateSessionKey,
  getSpendingLimits,
  type StoredSession,
  serializeSession,
  toSessionKeyAccount,
} from 'session-keys'
import { type Address, encodeFunctionData, erc20Abi, type Hex } from 'viem'
import { privateKeyToAddress } from 'viem/accounts'
import { type Clients, createClients, loadConfig } from '../lib/chain'
import {
  allowanceAsked,
  buildPermissionRequest,
  type DappConfig,
  loadStoredSession,
  pricePerUse,
  sessionFromResponse,
} from '../lib/dappSession'
import { formatDuration, formatLocalTime, formatTokens } from '../lib/format'
import { explainRefusal, type Refusal } from '../lib/refusal'
import { AddressText, Chip, Notice, Spinner, type Tone } from '../lib/ui'
import { askWallet } from './wallet'

type Config = DappConfig & { walletOrigin: string; dappOrigin: string }

const storageKey = 'arcade.session'

type LogEntry = {
  id: number
  what: string
  status: 'sending' | 'landed' | 'refused-here' | 'refused-by-chain' | 'failed'
  gas?: bigint | undefined
  transactionHash?: Hex | undefined
  detail?: string | undefined
}

const statusText: Record<LogEntry['status'], [string, Tone]> = {
  sending: ['Sending…', 'info'],
  landed: ['On chain', 'ok'],
  'refused-here': ['Refused before sending', 'warn'],
  'refused-by-chain': ['Refused by the chain', 'bad'],
  failed: ['Failed', 'bad'],
}

export function App() {
  const [config, setConfig] = useState<Config>()
  const [loadError, setLoadError] = useState<string>()
  const [stored, setStored] = useState<StoredSession>()
  const [notice, setNotice] = useState<{ tone: Tone; title: string; detail?: string }>()
  const [connecting, setConnecting] = useState(false)
  const [busy, setBusy] = useState(false)
  const [log, setLog] = useState<LogEntry[]>([])
  const [left, setLeft] = useState<bigint>()
  const [ended, setEnded] = useState<Refusal>()
  const [forbiddenRefused, setForbiddenRefused] = useState(false)
  const [now, setNow] = useState(() => Math.floor(Date.now() / 1000))
  const clients = useMemo<Clients | undefined>(
    () => (config ? createClients(config.chainId, window.location.origin) : undefined),
    [config],
  )

  useEffect(() => {
    loadConfig<Config>().then(setConfig, (error: Error) => setLoadError(error.message))
    const timer = setInterval(() => setNow(Math.floor(Date.now() / 1000)), 1000)
    return () => clearInterval(timer)
  }, [])

  // A reload restores the stored session, unless it was edited (then it is refused and forgotten).
  useEffect(() => {
    if (!config) return
    const text = localStorage.getItem(storageKey)
    if (!text) return
    try {
      setStored(loadStoredSession(text, config))
      setNotice({ tone: 'info', title: 'Welcome back: your session was restored from this browser.' })
    } catch (error) {
      localStorage.removeItem(storageKey)
      setNotice({
        tone: 'bad',
        title: 'The session stored in this browser was changed, so it was refused and forgotten.',
        detail: `${(error as Error).message}\nConnect again to ask the wallet for a new one.`,
      })
    }
  }, [config])

  const refreshLeft = useCallback(async () => {
    if (!clients || !stored) return
    const [limit] = await getSpendingLimits(clients.client, { session: stored.session })
    setLeft(limit?.remaining)
  }, [clients, stored])

  useEffect(() => {
    void refreshLeft().catch(() => setLeft(undefined))
  }, [refreshLeft])

  const addLog = (entry: Omit<LogEntry, 'id'>) => {
    const id = Date.now() + Math.random()
    setLog((entries) => [{ ...entry, id }, ...entries])
    return (update: Partial<LogEntry>) =>
      setLog((entries) => entries.map((e) => (e.id === id ? { ...e, ...update } : e)))
  }

  async function connect() {
    if (!config) return
    setConnecting(true)
    setNotice(undefined)
    setEnded(undefined)
    setForbiddenRefused(false)
    try {
      const key = generateSessionKey()
      const request = buildPermissionRequest(config, key.address, Math.floor(Date.now() / 1000))
      const response = await askWallet(config.walletOrigin, 'wallet_requestExecutionPermissions', request)
      if (response.error) {
        setNotice({
          tone: 'warn',
          title:
            response.error.code === 4001 ? 'You declined in the wallet. Nothing was granted.' : 'The wallet refused.',
          detail: response.error.message,
        })
        return
      }
      const session = sessionFromResponse(response.result, {
        sessionKey: key.address,
        privateKey: key.privateKey,
        config,
      })
      localStorage.setItem(storageKey, serializeSession(session))
      setStored(session)
      setLog([])
      setNotice({ tone: 'ok', title: 'Connected. Play as much as your allowance allows: no more wallet pop-ups.' })
    } catch (error) {
      setNotice({ tone: 'bad', title: 'Could not connect.', detail: (error as Error).message })
    } finally {
      setConnecting(false)
    }
  }

  function disconnect() {
    localStorage.removeItem(storageKey)
    setStored(undefined)
    setLog([])
    setLeft(undefined)
    setEnded(undefined)
    setNotice({ tone: 'muted', title: 'Disconnected: this browser forgot the session key.' })
  }

  async function pay(kind: 'play' | 'forbidden', force = false) {
    if (!config || !clients || !stored?.privateKey) return
    setBusy(true)
    const to: Address = kind === 'play' ? config.service : privateKeyToAddress(generateSessionKey().privateKey)
    const what =
      kind === 'play'
        ? `Play: pay ${formatTokens(pricePerUse(config), config.token)} to the arcade`
        : `Not allowed: pay ${formatTokens(pricePerUse(config), config.token)} to another address${force ? ' (forced to the chain)' : ''}`
    const update = addLog({ what, status: 'sending' })
    try {
      const account = await toSessionKeyAccount({
        client: clients.client,
        session: stored.session,
        sessionKey: stored.privateKey,
        grant: stored.grant,
      })
      const submitter = createBundlerSubmitter({ bundlerClient: clients.bundlerClient, preflight: !force })
      const data = encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [to, pricePerUse(config)] })
      const outcome = await submitter.sendUserOperation({ account, calls: [{ to: config.token.address, data }] })
      update({ status: 'landed', gas: outcome.actualGasUsed, transactionHash: outcome.transactionHash })
    } catch (error) {
      const refusal = explainRefusal(error)
      update({ status: force ? 'refused-by-chain' : 'refused-here', detail: `${refusal.title} ${refusal.detail}` })
      if (kind === 'forbidden' && !force) setForbiddenRefused(true)
      if (refusal.askAgain) setEnded(refusal)
    } finally {
      setBusy(false)
      void refreshLeft().catch(() => undefined)
    }
  }

  if (loadError) {
    return (
      <main>
        <Notice tone="bad" title="The arcade could not start.">
          {loadError}
        </Notice>
      </main>
    )
  }
  if (!config) {
    return (
      <main>
        <Spinner label="Loading the arcade…" />
      </main>
    )
  }
  const session = stored?.session
  const timeLeft = session ? session.validUntil - now : 0
  return (
    <main>
      <header className="top">
        <h1>Pixel Arcade</h1>
        <span className="tag">a dapp at {window.location.origin}</span>
      </header>
      <section className="card" aria-labelledby="about">
        <h2 id="about">Pay per play, without a wallet pop-up each time</h2>
        <p className="muted">
          Each play costs {formatTokens(pricePerUse(config), config.token)}. Connect once: your wallet grants this page
          a session key that may only pay the arcade, at most {formatTokens(allowanceAsked(config), config.token)} in
          total, for an hour. The chain enforces it.
        </p>
        {notice ? (
          <Notice tone={notice.tone} title={notice.title}>
            {notice.detail}
          </Notice>
        ) : null}
        {!session ? (
          <div className="row">
            <button type="button" className="primary" onClick={connect} disabled={connecting}>
              {connecting ? 'Waiting for the wallet…' : 'Connect wallet'}
            </button>
            {connecting ? <Spinner label="Approve in the wallet window" /> : null}
          </div>
        ) : null}
      </section>

      {session ? (
        <section className="card" aria-labelledby="session">
          <div className="spread">
            <h2 id="session">Your session</h2>
            {ended ? (
              <Chip tone="bad">Ended</Chip>
            ) : timeLeft > 0 ? (
              <Chip tone="ok">Active</Chip>
            ) : (
              <Chip tone="muted">Expired</Chip>
            )}
          </div>
          <dl className="facts">
            <dt>Allowance left</dt>
            <dd className="big" data-testid="allowance-left">
              {left === undefined ? '…' : formatTokens(left, config.token)}
            </dd>
            <dt>Account</dt>
            <dd>
              <AddressText address={session.account} label="account" />
            </dd>
            <dt>Session key</dt>
            <dd>
              <AddressText address={session.sessionKey} label="session key" />
            </dd>
            <dt>Ends</dt>
            <dd>
              {formatLocalTime(session.validUntil)} ({formatDuration(timeLeft)} left)
            </dd>
          </dl>
          {ended ? (
            <Notice tone="warn" title={ended.title}>
              <span>Ask the wallet for a new session to go on playing.</span>
              <div className="row" style={{ marginTop: 8 }}>
                <button type="button" className="primary" onClick={connect} disabled={connecting}>
                  Ask again
                </button>
              </div>
            </Notice>
          ) : null}
          <div className="row" style={{ marginTop: 14 }}>
            <button type="button" className="primary" onClick={() => pay('play')} disabled={busy}>
              Play ({formatTokens(pricePerUse(config), config.token)})
            </button>
            <button type="button" onClick={() => pay('forbidden')} disabled={busy}>
              Try something not allowed
            </button>
            {forbiddenRefused ? (
              <button type="button" className="danger" onClick={() => pay('forbidden', true)} disabled={busy}>
                Send it to the chain anyway
              </button>
            ) : null}
            <button type="button" onClick={disconnect} disabled={busy}>
              Disconnect
            </button>
          </div>
        </section>
      ) : null}

      {session ? (
        <section className="card" aria-labelledby="log">
          <h2 id="log">Live log</h2>
          {log.length === 0 ? (
            <p className="muted">Nothing sent yet. Each operation appears here as it goes to the chain.</p>
          ) : (
            <ol className="log" aria-live="polite">
              {log.map((entry) => (
                <li key={entry.id} data-status={entry.status}>
                  <div className="spread">
                    <span>{entry.what}</span>
                    <Chip tone={statusText[entry.status][1]}>{statusText[entry.status][0]}</Chip>
                  </div>
                  {entry.gas !== undefined ? (
                    <div className="log-detail">
                      {entry.gas.toLocaleString()} gas
                      {entry.transactionHash ? (
                        <>
                          {' · transaction '}
                          <AddressText address={entry.transactionHash} label="transaction hash" />
                        </>
                      ) : null}
                    </div>
                  ) : null}
                  {entry.detail ? <div className="log-detail">{entry.detail}</div> : null}
                </li>
              ))}
            </ol>
          )}
        </section>
      ) : null}
    </main>
  )
}
