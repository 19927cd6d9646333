// The LLVM IR the backend tests start their XDP functions with: data and data_end read from the context, then a
// branch to %out unless `window` bytes of packet are there. The caller writes the %body block and %out.
export function xdpWindowPrologue(window: number): string {
  return `entry:
  %d32 = load i32, ptr %ctx, align 4
  %d64 = zext i32 %d32 to i64
  %data = inttoptr i64 %d64 to ptr
  %e = getelementptr i8, ptr %ctx, i64 4
  %e32 = load i32, ptr %e, align 4
  %e64 = zext i32 %e32 to i64
  %end = inttoptr i64 %e64 to ptr
  %last = getelementptr i8, ptr %data, i64 ${window}
  %short = icmp ugt ptr %last, %end
  br i1 %short, label %out, label %body
`;
}
