/** The sweep the shared-options tests run: an axis (TAXA) and a scalar (X). */
export const SWEEP = `---
TAXA: [AVES, MAMMALIA]
X: a
---

## One

\`\`\`shark-run
echo "%{TAXA} $X" > /data/one/%{TAXA}.txt
\`\`\`
`;
