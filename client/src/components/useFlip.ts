import { type RefObject, useLayoutEffect, useRef } from 'react';
import { flipDuration, flipOffsets } from '../flip';

const reducedMotion = () => typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;

/**
 * Slides the container's `[data-flip-key]` children from their old places when `order` changes
 * (rows that re-rank live). Positions are layout offsets, so scrolling and running transforms do
 * not count as moves. Nothing moves for people who ask for reduced motion.
 */
export function useFlip(container: RefObject<HTMLElement | null>, order: string): void {
  const positions = useRef(new Map<string, number>());
  const lastOrder = useRef(order);

  useLayoutEffect(() => {
    const el = container.current;
    if (!el) return;
    const rows = [...el.querySelectorAll<HTMLElement>(':scope > [data-flip-key]')];
    const now = new Map(rows.map((row) => [row.dataset.flipKey ?? '', row.offsetTop]));
    const moved = lastOrder.current !== order;
    lastOrder.current = order;
    const before = positions.current;
    positions.current = now;
    if (!moved || reducedMotion()) return;
    const offsets = flipOffsets(before, now);
    if (offsets.size === 0) return;
    for (const row of rows) {
      const dy = offsets.get(row.dataset.flipKey ?? '');
      if (dy === undefined) continue;
      row.style.transition = 'none';
      row.style.transform = `translateY(${dy}px)`;
    }
    // Apply the inverted positions before playing the move.
    void el.offsetHeight;
    for (const row of rows) {
      const dy = offsets.get(row.dataset.flipKey ?? '');
      if (dy === undefined) continue;
      row.style.transition = `transform ${flipDuration(dy)}ms cubic-bezier(0.2, 0, 0, 1)`;
      row.style.transform = '';
      row.addEventListener(
        'transitionend',
        () => {
          row.style.transition = '';
        },
        { once: true },
      );
    }
  });
}
