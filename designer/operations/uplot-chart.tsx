/** A uPlot chart that follows its container's width. */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export function UplotChart({ options, data, height = 220 }: { options: Omit<uPlot.Options, 'width' | 'height'>; data: uPlot.AlignedData; height?: number }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current!;
    const chart = new uPlot({ ...options, width: el.clientWidth || 600, height }, data, el);
    const resize = new ResizeObserver(() => chart.setSize({ width: el.clientWidth, height }));
    resize.observe(el);
    return () => { resize.disconnect(); chart.destroy(); };
  }, [options, data, height]);
  return <div ref={box} className="uplot-box" />;
}
