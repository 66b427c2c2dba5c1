export function LoadingScreen({ label }: { label: string }) {
  return (
    <div className="loading-screen" role="status">
      <div className="spinner" />
      <span>{label}</span>
    </div>
  );
}
