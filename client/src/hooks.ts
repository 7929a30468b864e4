/** Data-loading hooks with cancellation, so a slow answer never lands on the wrong screen. */
import { type DependencyList, type FocusEvent, useCallback, useEffect, useRef, useState } from 'react';
import { mergeById } from './lists';
import type { Page } from './types';

export interface AsyncState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
  setData: (update: (prev: T | undefined) => T | undefined) => void;
}

export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: DependencyList): AsyncState<T> {
  const [data, setDataState] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [nonce, setNonce] = useState(0);
  const loadRef = useRef(load);
  useEffect(() => {
    loadRef.current = load;
  });

  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller lists the dependencies
  useEffect(() => {
    const ctrl = new AbortController();
    setLoading(true);
    setError(null);
    loadRef.current(ctrl.signal).then(
      (value) => {
        if (ctrl.signal.aborted) return;
        setDataState(value);
        setLoading(false);
      },
      (err: unknown) => {
        if (ctrl.signal.aborted) return;
        setError(err);
        setLoading(false);
      },
    );
    return () => ctrl.abort();
  }, [...deps, nonce]);

  const reload = useCallback(() => setNonce((n) => n + 1), []);
  const setData = useCallback((update: (prev: T | undefined) => T | undefined) => setDataState(update), []);
  return { data, error, loading, reload, setData };
}

export interface PagedList<T> {
  items: T[];
  /** The first page is loading (items may still show the previous filter's results). */
  loading: boolean;
  loadingMore: boolean;
  hasMore: boolean;
  error: unknown;
  loadMore: () => void;
  reload: () => void;
  setItems: (update: (prev: T[]) => T[]) => void;
}

/** A cursor-paginated list: the first page on every dependency change, then "load more". */
export function usePagedList<T extends { id: string }>(
  fetchPage: (cursor: string | null, signal: AbortSignal) => Promise<Page<T>>,
  deps: DependencyList,
): PagedList<T> {
  const [items, setItemsState] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [nonce, setNonce] = useState(0);
  const fetchRef = useRef(fetchPage);
  const moreRef = useRef<AbortController | null>(null);
  useEffect(() => {
    fetchRef.current = fetchPage;
  });

  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller lists the dependencies
  useEffect(() => {
    const ctrl = new AbortController();
    moreRef.current?.abort();
    setLoading(true);
    setLoadingMore(false);
    setError(null);
    fetchRef.current(null, ctrl.signal).then(
      (page) => {
        if (ctrl.signal.aborted) return;
        setItemsState(page.items);
        setCursor(page.nextCursor ?? null);
        setLoading(false);
      },
      (err: unknown) => {
        if (ctrl.signal.aborted) return;
        setError(err);
        setLoading(false);
      },
    );
    return () => ctrl.abort();
  }, [...deps, nonce]);

  useEffect(() => () => moreRef.current?.abort(), []);

  const loadMore = useCallback(() => {
    if (!cursor || loading || loadingMore) return;
    const ctrl = new AbortController();
    moreRef.current = ctrl;
    setLoadingMore(true);
    setError(null);
    fetchRef.current(cursor, ctrl.signal).then(
      (page) => {
        if (ctrl.signal.aborted) return;
        setItemsState((prev) => mergeById(prev, page.items));
        setCursor(page.nextCursor ?? null);
        setLoadingMore(false);
      },
      (err: unknown) => {
        if (ctrl.signal.aborted) return;
        setError(err);
        setLoadingMore(false);
      },
    );
  }, [cursor, loading, loadingMore]);

  const reload = useCallback(() => setNonce((n) => n + 1), []);
  const setItems = useCallback((update: (prev: T[]) => T[]) => setItemsState(update), []);
  return { items, loading, loadingMore, hasMore: cursor !== null, error, loadMore, reload, setItems };
}

/** Sets the tab title while a screen is shown. */
export function useDocumentTitle(title: string | undefined): void {
  useEffect(() => {
    document.title = title ? `${title} · CoCreate` : 'CoCreate';
  }, [title]);
}

/** State for a form or button that calls the API: busy while running, the error if it failed. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = useCallback(async (fn: () => Promise<void>): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      return true;
    } catch (err) {
      setError(err);
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  const clear = useCallback(() => setError(null), []);
  return { busy, error, run, clear };
}

/**
 * Whether the user is writing in a form: it has focus (anywhere inside) and text. Spread the
 * returned handlers on the form; `onChange` hears every change, and `false` when the form goes.
 */
export function useTyping(hasText: boolean, onChange?: (typing: boolean) => void) {
  const [focused, setFocused] = useState(false);
  const typing = focused && hasText;
  const callback = useRef(onChange);
  useEffect(() => {
    callback.current = onChange;
  });
  useEffect(() => {
    callback.current?.(typing);
  }, [typing]);
  useEffect(() => () => callback.current?.(false), []);
  return {
    onFocus: () => setFocused(true),
    onBlur: (e: FocusEvent<HTMLElement>) => {
      if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setFocused(false);
    },
  };
}
