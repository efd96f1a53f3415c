import ExcelJS from 'exceljs';
const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: '/tmp/wb/scratch.xlsx', useStyles: true });
const s1 = wb.addWorksheet('A'); s1.addRow(['x']).commit(); s1.commit();
const s2 = wb.addWorksheet('B');
const st = (s2 as any).stream;
console.log('pipes', st.pipes.length, st.pipes.map((p: any) => p.constructor.name));
for (let i = 0; i < 100000; i++) {
  s2.addRow([`row ${i}`, i, i * 2, 'some text here', new Date()]).commit();
  if (i % 2048 === 0) await new Promise((r) => setImmediate(r));
  if (i % 20000 === 0) { const p = st.pipes[0]; console.log(i, 'bufs', st.buffers.length, 'w', p._writableState?.length, 'r', p._readableState?.length, 'flowing', p._readableState?.flowing, 'arr', Math.round(process.memoryUsage().arrayBuffers/1e6)); }
}
s2.commit();
await wb.commit();
