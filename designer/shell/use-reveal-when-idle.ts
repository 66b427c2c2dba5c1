import { useEffect, useState } from 'react';
import { whenIdle } from './when-idle.ts';

/**
 * False until the browser is idle after the component first rendered: a part of a screen nobody needs in
 * its first second (the canvas's minimap, drawing every node of a 300-node flow) is drawn once the screen's
 * first frames are out, not in the same renders, layouts and paints.
 */
export function useRevealWhenIdle(): boolean {
  const [revealed, setRevealed] = useState(false);
  useEffect(() => {
    let live = true;
    whenIdle(() => live && setRevealed(true));
    return () => { live = false; };
  }, []);
  return revealed;
}
