"""The classical churn peers the model is held against (P8), on the model's own folds.

- BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way"): fitted by
  maximum likelihood on the training folds' (x, t_x, T) with scipy.optimize, ranking test
  accounts by expected purchases in the horizon (fewer = likelier churn). Written here from
  the paper's equations (6) and (10): the `lifetimes` package is unmaintained and does not
  install on Python 3.11 here.
- A logistic regression on the CRM attributes (industry, region, custom attributes,
  tenure): one-hot categories, median-imputed and scaled numbers, its L2 strength tuned by
  5-fold inner cross-validation.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize
from scipy.special import betaln, gammaln, hyp2f1
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegressionCV
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from feedback.scoring import training
from feedback.scoring.records import CustomerRecords

WEEK = 7.0
CDNOW = (0.243, 4.414, 0.793, 2.426)  # r, alpha, a, b in Fader, Hardie & Lee (2005)
FloatArray = npt.NDArray[np.float64]


# --- BG/NBD -----------------------------------------------------------------------------


def bgnbd_summary(records: CustomerRecords, day: int) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(x, t_x, T) in weeks per account position: repeat purchase days, the last one's time
    since the first, and the time from the first to ``day``. No purchase: (0, 0, 0)."""
    purchases = records.purchases
    start = purchases.starts(records.size)
    end = purchases.rows_up_to(records.size, day)
    count = end - start
    days = np.append(purchases.day, 0)
    bought = count > 0
    first = np.where(bought, days[start], day)
    last = np.where(bought, days[end - 1], day)
    x = np.maximum(count - 1, 0).astype(np.float64)
    return x, (last - first) / WEEK, (day - first) / WEEK


def _bgnbd_log_likelihood(
    params: FloatArray, x: FloatArray, t_x: FloatArray, big_t: FloatArray
) -> float:
    r, alpha, a, b = np.exp(params)
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    first = betaln(a, b + x) - betaln(a, b) - (r + x) * np.log(alpha + big_t)
    with np.errstate(divide="ignore", invalid="ignore"):
        second = np.where(
            x > 0,
            betaln(a + 1, b + x - 1) - betaln(a, b) - (r + x) * np.log(alpha + t_x),
            -np.inf,
        )
    return float(np.sum(common + np.logaddexp(first, second)))


def bgnbd_fit(x: FloatArray, t_x: FloatArray, big_t: FloatArray) -> FloatArray:
    """Maximum-likelihood (r, alpha, a, b), optimised on their logarithms."""
    result = minimize(
        lambda p: -_bgnbd_log_likelihood(p, x, t_x, big_t),
        x0=np.log([0.5, 5.0, 1.5, 3.0]),
        method="Nelder-Mead",
        options={"maxiter": 4000, "xatol": 1e-6, "fatol": 1e-6},
    )
    return np.exp(result.x)


def bgnbd_expected(
    params: FloatArray, t: float, x: FloatArray, t_x: FloatArray, big_t: FloatArray
) -> FloatArray:
    """Expected purchases in the next t weeks given (x, t_x, T): equation (10)."""
    r, alpha, a, b = params
    a = max(a, 1.0 + 1e-6)  # the expectation needs a > 1
    z = t / (alpha + big_t + t)
    head = (a + b + x - 1) / (a - 1)
    tail = 1 - ((alpha + big_t) / (alpha + big_t + t)) ** (r + x) * hyp2f1(
        r + x, b + x, a + b + x - 1, z
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        odds = np.where(
            x > 0,
            a / np.maximum(b + x - 1, 1e-12) * ((alpha + big_t) / (alpha + t_x)) ** (r + x),
            0,
        )
    return head * tail / (1 + odds)


def bgnbd_self_check(customers: int = 5000, weeks: float = 39.0) -> FloatArray:
    """Fit customers drawn from the BG/NBD process with the paper's CDNOW estimates."""
    rng = np.random.default_rng(1)
    r, alpha, a, b = CDNOW
    rates, drop = rng.gamma(r, 1 / alpha, customers), rng.beta(a, b, customers)
    x, t_x = np.zeros(customers), np.zeros(customers)
    for n in range(customers):
        moment = rng.exponential(1 / rates[n])
        while moment <= weeks:
            x[n], t_x[n] = x[n] + 1, moment
            if rng.random() < drop[n]:
                break
            moment += rng.exponential(1 / rates[n])
    return bgnbd_fit(x, t_x, np.full(customers, weeks))


# --- the attribute logistic regression ----------------------------------------------------


def attribute_model(numeric: int, categorical: int) -> Pipeline:
    encode = ColumnTransformer(
        [
            (
                "numeric",
                make_pipeline(
                    SimpleImputer(strategy="median", add_indicator=True), StandardScaler()
                ),
                list(range(numeric)),
            ),
            (
                "categorical",
                OneHotEncoder(handle_unknown="ignore"),
                list(range(numeric, numeric + categorical)),
            ),
        ]
    )
    return make_pipeline(
        encode,
        LogisticRegressionCV(
            Cs=np.logspace(-3, 2, 11).tolist(),
            l1_ratios=(0.0,),
            cv=StratifiedKFold(5, shuffle=True, random_state=0),
            scoring="roc_auc",
            max_iter=3000,
            use_legacy_attributes=False,
        ),
    )


def attribute_matrix(frame: training.Frame) -> tuple[npt.NDArray[np.object_], int, int]:
    table = frame.features
    numeric_names = [n for n in table.numeric_names if n.startswith("attribute:")]
    numeric_names.append("tenure_days")
    categorical_names = [n for n in table.categorical_names if n != "tier"]
    numeric = np.column_stack([table.column(n) for n in numeric_names])
    categorical = table.categorical[
        :, [table.categorical_names.index(n) for n in categorical_names]
    ]
    matrix = np.empty((len(numeric), numeric.shape[1] + categorical.shape[1]), dtype=object)
    matrix[:, : numeric.shape[1]] = numeric
    matrix[:, numeric.shape[1] :] = categorical
    return matrix, numeric.shape[1], categorical.shape[1]


# --- out-of-fold scores on the model's folds ------------------------------------------------


def bgnbd_no_purchase(
    params: FloatArray, t: float, x: FloatArray, t_x: FloatArray, big_t: FloatArray
) -> FloatArray:
    """The probability of no purchase in the next t weeks given (x, t_x, T).

    A customer who has dropped out buys nothing; one still alive (equation (13)'s
    P(alive)) buys nothing in t with probability ((alpha + T) / (alpha + T + t))^(r + x),
    its purchase rate being Gamma(r + x, alpha + T) given its history.
    """
    r, alpha, a, b = params
    with np.errstate(divide="ignore", invalid="ignore"):
        odds = np.where(
            x > 0,
            a / np.maximum(b + x - 1, 1e-12) * ((alpha + big_t) / (alpha + t_x)) ** (r + x),
            0,
        )
    alive = 1 / (1 + odds)
    return 1 - alive * (1 - ((alpha + big_t) / (alpha + big_t + t)) ** (r + x))


def bgnbd_scores(
    records: CustomerRecords, frame: training.Frame, folds: int, horizon_days: int
) -> tuple[FloatArray, FloatArray]:
    """Expected purchases in the horizon and the probability of none, out of fold."""
    active = records.active_at(frame.day)
    x, t_x, big_t = (values[active] for values in bgnbd_summary(records, frame.day))
    expected, no_purchase = np.empty(len(x)), np.empty(len(x))
    for train_rows, test_rows in training.fold_rows(frame.labels, folds):
        params = bgnbd_fit(x[train_rows], t_x[train_rows], big_t[train_rows])
        test = x[test_rows], t_x[test_rows], big_t[test_rows]
        expected[test_rows] = bgnbd_expected(params, horizon_days / WEEK, *test)
        no_purchase[test_rows] = bgnbd_no_purchase(params, horizon_days / WEEK, *test)
    return expected, no_purchase


def attribute_scores(frame: training.Frame, folds: int) -> FloatArray:
    """The attribute logistic regression's churn probabilities, out of fold."""
    attributes, numeric, categorical = attribute_matrix(frame)
    scores = np.empty(len(frame.labels))
    for train_rows, test_rows in training.fold_rows(frame.labels, folds):
        model = attribute_model(numeric, categorical)
        model.fit(attributes[train_rows], frame.labels[train_rows])
        scores[test_rows] = model.predict_proba(attributes[test_rows])[:, 1]
    return scores
