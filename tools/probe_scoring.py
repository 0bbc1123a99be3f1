"""Which inner-CV score should choose a probe's regularisation: ROC-AUC or log-loss? (decisions: probe-log-loss)

    python tools/probe_scoring.py [N_SUBJECTS]

A planted-signal cohort (as in nbs/60_probe.ipynb: 2 scans per subject, 40-d vectors, AD shifted by 4 along one
direction), the recorded split; standardise → logistic regression, C chosen by subject-grouped 5-fold CV inside the
training subjects with each score; then the test AUC and accuracy at threshold 0.5.
"""

import sys
import numpy as np
import pandas as pd
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedGroupKFold
from sklearn.metrics import roc_auc_score, accuracy_score
from ldae.probe import C_GRID

n, d, shift = int(sys.argv[1]) if len(sys.argv) > 1 else 120, 40, 4.0
rng = np.random.default_rng(0)
dx = rng.choice(['CN', 'MCI', 'AD'], n, p=[0.4, 0.2, 0.4])
u = rng.normal(size=d)
u /= np.linalg.norm(u)
a = rng.normal(size=d)
rows, X = [], []
for i in range(n):
    base = rng.normal(size=d) + shift * {'CN': -0.5, 'MCI': 0.0, 'AD': 0.5}[dx[i]] * u
    for ses in (0, 12):
        X.append(base + 0.3 * rng.normal(size=d))
        rng.normal()  # the notebook's age noise: keeps the random stream identical
        rows.append(dict(subject=f's{i:03d}', diagnosis=dx[i], split='test' if i % 5 == 0 else 'train'))
df, X = pd.DataFrame(rows), np.array(X)
k = df.diagnosis.isin(['CN', 'AD']).to_numpy()
tr, te = k & (df.split != 'test').to_numpy(), k & (df.split == 'test').to_numpy()
y = (df.diagnosis == 'AD').to_numpy().astype(int)
for scoring in ('roc_auc', 'neg_log_loss'):
    pipe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))
    cv = StratifiedGroupKFold(5, shuffle=True, random_state=0)
    s = GridSearchCV(pipe, {'logisticregression__C': C_GRID}, scoring=scoring, cv=cv)
    s.fit(X[tr], y[tr], groups=df.subject[tr])
    p = s.predict_proba(X[te])[:, 1]
    print(
        f"{scoring:>13}: C = {s.best_params_['logisticregression__C']:g}; test AUC {roc_auc_score(y[te], p):.3f}, "
        f"accuracy {accuracy_score(y[te], p >= 0.5):.2f}"
    )
