import { useEffect, useState } from 'react';
import { type Banner, bannerFor } from '../live/connection';
import { useConnectionState } from '../live/hooks';

/** A blip shorter than this (a quick reconnect, a sign-in) shows no banner. */
const SHOW_AFTER_MS = 1200;
/** How long "back online" stays after a recovery that the banner had announced. */
const RECOVERED_FOR_MS = 3000;

/**
 * The live connection's state in words: reconnecting, offline, catching up, back. The live region
 * is always rendered so that each change is announced.
 */
export function ConnectionBanner() {
  const state = useConnectionState();
  const banner = bannerFor(state);
  const [shown, setShown] = useState<Banner | null>(null);
  const [recovered, setRecovered] = useState(false);
  const kind = banner?.kind ?? null;
  const text = banner?.text ?? '';

  useEffect(() => {
    if (!kind) return;
    setRecovered(false);
    const next = { kind, text };
    // Offline is certain at once; a reconnect may be over before anyone needs to know.
    if (kind === 'offline') {
      setShown(next);
      return;
    }
    const timer = setTimeout(() => setShown(next), SHOW_AFTER_MS);
    return () => clearTimeout(timer);
  }, [kind, text]);

  useEffect(() => {
    if (kind || !shown) return;
    setShown(null);
    setRecovered(true);
    const timer = setTimeout(() => setRecovered(false), RECOVERED_FOR_MS);
    return () => clearTimeout(timer);
  }, [kind, shown]);

  return (
    <div className="connection-region" role="status" aria-live="polite" aria-atomic="true">
      {shown ? (
        <p className={`connection-banner connection-${shown.kind}`}>
          {shown.kind !== 'offline' && <span className="spinner spinner-small" aria-hidden="true" />}
          {shown.text}
        </p>
      ) : recovered ? (
        <p className="connection-banner connection-back">Back online — up to date.</p>
      ) : null}
    </div>
  );
}
