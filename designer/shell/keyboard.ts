/** Keyboard access for clickable rows and cards that are not buttons. */
import type { KeyboardEvent } from 'react';

/** Enter or Space on a focused row does what a click does. */
export function clickOnEnter(e: KeyboardEvent<HTMLElement>): void {
  if (e.target !== e.currentTarget) return;
  if (e.key === 'Enter' || e.key === ' ') {
    e.preventDefault();
    e.currentTarget.click();
  }
}
