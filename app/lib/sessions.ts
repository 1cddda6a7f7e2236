// The wallet's record of the sessions it approved (the session manager's list).
import { deserializeSession, type Session, type SessionGrant, serializeSession } from 'session-keys'

export type ApprovedSession = {
  origin: string
  approvedAt: number
  session: Session
  grant?: SessionGrant | undefined
}

type StoredEntry = { origin: string; approvedAt: number; stored: string }

/** Reads the list; an entry that does not load (edited, truncated) is left out and counted. */
export function loadApproved(text: string | null): { sessions: ApprovedSession[]; dropped: number } {
  if (!text) return { sessions: [], dropped: 0 }
  let entries: unknown
  try {
    entries = JSON.parse(text)
  } catch {
    return { sessions: [], dropped: 1 }
  }
  if (!Array.isArray(entries)) return { sessions: [], dropped: 1 }
  const sessions: ApprovedSession[] = []
  let dropped = 0
  for (const entry of entries as StoredEntry[]) {
    try {
      if (typeof entry?.origin !== 'string' || typeof entry.approvedAt !== 'number') throw new Error('shape')
      const { session, grant } = deserializeSession(entry.stored)
      sessions.push({ origin: entry.origin, approvedAt: entry.approvedAt, session, grant })
    } catch {
      dropped++
    }
  }
  return { sessions, dropped }
}

/** Writes the list (without any private key: the wallet never has the session key). */
export function saveApproved(sessions: readonly ApprovedSession[]): string {
  return JSON.stringify(
    sessions.map(({ origin, approvedAt, session, grant }) => ({
      origin,
      approvedAt,
      stored: serializeSession({ session, grant }),
    })),
  )
}
