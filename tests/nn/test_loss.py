import warnings

import numpy as np
import pytest

from nn_module_oracle import module_check
from oracle import check, check_error, gradcheck

import ember
import torch

RNG = np.random.default_rng(0)
T1 = RNG.integers(0, 5, size=(4,))
T2 = RNG.integers(0, 5, size=(3, 4, 2))
T2[0, 0, 0] = -100
W = (RNG.random(5) + 0.5).astype(np.float32)
Y = np.sign(RNG.standard_normal((6,))).astype(np.float32)
Y2 = np.sign(RNG.standard_normal((4, 5))).astype(np.float32)
ML = np.array([[3, 0, -1, 1, 1], [1, 2, 3, 4, 0], [-1, 0, 0, 0, 0], [4, -1, 2, 2, 2]])


def F(lib):
    return lib.nn.functional


def w(lib):
    return lib.tensor(W)


CASES = {
    "ce": (lambda lib, r, x, t: F(lib).cross_entropy(x, t, reduction=r), [(4, 5), T1]),
    "ce_w_ls": (lambda lib, r, x, t: F(lib).cross_entropy(x, t, weight=w(lib), reduction=r,
                                                          label_smoothing=0.1), [(4, 5), T1]),
    "ce_kdim": (lambda lib, r, x, t: F(lib).cross_entropy(x, t, weight=w(lib), reduction=r,
                                                          label_smoothing=0.2),
                [(3, 5, 4, 2), T2]),
    "ce_unbatched": (lambda lib, r, x: F(lib).cross_entropy(x, lib.tensor(2), reduction=r),
                     [(5,)]),
    "ce_probs": (lambda lib, r, x, t: F(lib).cross_entropy(x, t.softmax(1), reduction=r,
                                                           weight=w(lib), label_smoothing=0.3),
                 [(4, 5), (4, 5)]),
    "nll": (lambda lib, r, x, t: F(lib).nll_loss(x, t, reduction=r), [(4, 5), T1]),
    "nll_kdim": (lambda lib, r, x, t: F(lib).nll_loss(x, t, weight=w(lib), reduction=r),
                 [(3, 5, 4, 2), T2]),
    "mse": (lambda lib, r, x, t: F(lib).mse_loss(x, t, reduction=r), [(4, 5), (4, 5)]),
    "l1": (lambda lib, r, x, t: F(lib).l1_loss(x, t, reduction=r), [(4, 5), (4, 5)]),
    "bce": (lambda lib, r, x, t: F(lib).binary_cross_entropy(x.sigmoid(), t.sigmoid(),
                                                             weight=w(lib), reduction=r),
            [(4, 5), (4, 5)]),
    "bce_logits": (lambda lib, r, x, t: F(lib).binary_cross_entropy_with_logits(
        x, t.sigmoid(), weight=w(lib), pos_weight=w(lib) * 2, reduction=r), [(4, 5), (4, 5)]),
    "kl": (lambda lib, r, x, t: F(lib).kl_div(x.log_softmax(1), t.softmax(1), reduction=r),
           [(4, 5), (4, 5)]),
    "kl_log": (lambda lib, r, x, t: F(lib).kl_div(x.log_softmax(1), t.log_softmax(1),
                                                  reduction=r, log_target=True),
               [(4, 5), (4, 5)]),
    "smooth_l1": (lambda lib, r, x, t: F(lib).smooth_l1_loss(x, t, reduction=r, beta=0.5),
                  [(4, 5), (4, 5)]),
    "huber": (lambda lib, r, x, t: F(lib).huber_loss(x, t, reduction=r, delta=0.7),
              [(4, 5), (4, 5)]),
    "poisson": (lambda lib, r, x, t: F(lib).poisson_nll_loss(x, t.abs() * 3, reduction=r,
                                                             full=True), [(4, 5), (4, 5)]),
    "poisson_nolog": (lambda lib, r, x, t: F(lib).poisson_nll_loss(
        x.abs(), t.abs(), reduction=r, log_input=False), [(4, 5), (4, 5)]),
    "gaussian": (lambda lib, r, x, t, v: F(lib).gaussian_nll_loss(x, t, v.abs(), reduction=r,
                                                                  full=True),
                 [(4, 5), (4, 5), (4, 1)]),
    "margin_ranking": (lambda lib, r, a, b: F(lib).margin_ranking_loss(
        a, b, lib.tensor(Y), margin=0.3, reduction=r), [(6,), (6,)]),
    "hinge": (lambda lib, r, a: F(lib).hinge_embedding_loss(a, lib.tensor(Y), reduction=r),
              [(6,)]),
    "cosine_emb": (lambda lib, r, a, b: F(lib).cosine_embedding_loss(
        a, b, lib.tensor(Y), margin=0.1, reduction=r), [(6, 3), (6, 3)]),
    "triplet": (lambda lib, r, a, b, c: F(lib).triplet_margin_loss(a, b, c, reduction=r,
                                                                   swap=True),
                [(6, 3), (6, 3), (6, 3)]),
    "triplet_dist": (lambda lib, r, a, b, c: F(lib).triplet_margin_with_distance_loss(
        a, b, c, reduction=r), [(6, 3), (6, 3), (6, 3)]),
    "soft_margin": (lambda lib, r, a: F(lib).soft_margin_loss(a, lib.tensor(Y2), reduction=r),
                    [(4, 5)]),
    "multilabel_soft": (lambda lib, r, a: F(lib).multilabel_soft_margin_loss(
        a, (lib.tensor(Y2) > 0).float(), weight=w(lib), reduction=r), [(4, 5)]),
    "multilabel_margin": (lambda lib, r, a, y: F(lib).multilabel_margin_loss(a, y,
                                                                             reduction=r),
                          [(4, 5), ML]),
    "multi_margin1": (lambda lib, r, a, y: F(lib).multi_margin_loss(
        a, y, p=1, margin=0.7, weight=w(lib), reduction=r), [(4, 5), T1]),
    "multi_margin2": (lambda lib, r, a, y: F(lib).multi_margin_loss(a, y, p=2, reduction=r),
                      [(4, 5), T1]),
}


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_functional_loss_oracle(case, reduction):
    fn, inputs = CASES[case]
    check(lambda lib, *xs: fn(lib, reduction, *xs), inputs)


@pytest.mark.parametrize("case", ["ce_w_ls", "ce_kdim", "bce_logits", "bce", "mse",
                                  "multilabel_margin", "triplet", "gaussian"])
def test_loss_gradcheck(case):
    fn, inputs = CASES[case]
    gradcheck(lambda lib, *xs: fn(lib, "mean", *[lib.tensor(x) if isinstance(x, np.ndarray)
                                                 else x for x in xs]), inputs)


def test_cross_entropy_double_backward():
    def fn(lib, x):
        loss = F(lib).cross_entropy(x, lib.tensor(T1), label_smoothing=0.1)
        (g,) = lib.autograd.grad(loss, x, create_graph=True)
        return g
    check(fn, [(4, 5)])


def test_numerical_stability_large_logits():
    x = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 5.0]], dtype=np.float32)
    for lib in (ember,):
        xe = lib.tensor(x, requires_grad=True)
        loss = F(lib).cross_entropy(xe, lib.tensor([1, 1]))
        loss.backward()
        assert np.isfinite(loss.item()) and np.isfinite(xe.grad.numpy()).all()
    check(lambda lib, x: F(lib).cross_entropy(x, lib.tensor([1, 1])), [x])
    check(lambda lib, x: F(lib).binary_cross_entropy_with_logits(x, lib.ones_like(x) * 0.3),
          [x])


CTC_T, CTC_N, CTC_C = 8, 3, 5
CTC_TG = np.random.default_rng(1).integers(1, CTC_C, size=(CTC_N, 4))
CTC_TG[0, 1] = CTC_TG[0, 0]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_ctc_loss(reduction):
    il, tl = [8, 6, 7], [4, 2, 3]
    check(lambda lib, x: F(lib).ctc_loss(x.log_softmax(2), lib.tensor(CTC_TG), lib.tensor(il),
                                         lib.tensor(tl), reduction=reduction),
          [(CTC_T, CTC_N, CTC_C)])
    flat = np.concatenate([CTC_TG[b, :tl[b]] for b in range(CTC_N)])
    check(lambda lib, x: F(lib).ctc_loss(x.log_softmax(2), lib.tensor(flat), il, tl,
                                         reduction=reduction), [(CTC_T, CTC_N, CTC_C)])


def test_ctc_zero_infinity_and_unbatched():
    tg = np.ones((CTC_N, 4), dtype=np.int64)
    check(lambda lib, x: F(lib).ctc_loss(x.log_softmax(2), lib.tensor(tg), [3, 3, 3],
                                         [4, 4, 4], reduction="none", zero_infinity=True),
          [(CTC_T, CTC_N, CTC_C)])
    check(lambda lib, x: F(lib).ctc_loss(x.log_softmax(1), lib.tensor(CTC_TG[0]),
                                         lib.tensor(8), lib.tensor(4)), [(CTC_T, CTC_C)])


MODULES = [("L1Loss", (), [(4, 5), (4, 5)]), ("MSELoss", (), [(4, 5), (4, 5)]),
           ("CrossEntropyLoss", (), [(4, 5), T1]), ("NLLLoss", (), [(4, 5), T1]),
           ("SmoothL1Loss", (), [(4, 5), (4, 5)]), ("HuberLoss", (), [(4, 5), (4, 5)]),
           ("SoftMarginLoss", (), [(6,), Y]), ("MultiMarginLoss", (), [(4, 5), T1]),
           ("MultiLabelMarginLoss", (), [(4, 5), ML]),
           ("TripletMarginWithDistanceLoss", (), [(6, 3), (6, 3), (6, 3)]),
           ("TripletMarginLoss", (), [(6, 3), (6, 3), (6, 3)]),
           ("KLDivLoss", (), [(4, 5), RNG.random((4, 5)).astype(np.float32)]),
           ("PoissonNLLLoss", (), [(4, 5), RNG.random((4, 5)).astype(np.float32) * 3]),
           ("CosineEmbeddingLoss", (), [(6, 3), (6, 3), Y]),
           ("MarginRankingLoss", (), [(6,), (6,), Y]), ("HingeEmbeddingLoss", (), [(6,), Y]),
           ("GaussianNLLLoss", (), [(4, 5), (4, 5), np.abs(RNG.random((4, 5))).astype(
               np.float32) + 0.1])]


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("name,args,inputs", MODULES)
def test_loss_module_oracle(name, args, inputs):
    module_check(lambda lib: getattr(lib.nn, name)(*args), inputs)


def test_weighted_loss_modules_state_dict():
    module_check(lambda lib: lib.nn.CrossEntropyLoss(weight=lib.tensor(W), ignore_index=2,
                                                     label_smoothing=0.1), [(4, 5), T1])
    module_check(lambda lib: lib.nn.BCEWithLogitsLoss(pos_weight=lib.tensor(W)),
                 [(4, 5), (RNG.random((4, 5))).astype(np.float32)])
    module_check(lambda lib: lib.nn.BCELoss(weight=lib.tensor(W)),
                 [RNG.random((4, 5)).astype(np.float32), RNG.random((4, 5)).astype(np.float32)])
    module_check(lambda lib: lib.nn.MultiLabelSoftMarginLoss(weight=lib.tensor(W)),
                 [(4, 5), (Y2 > 0).astype(np.float32)])


def test_legacy_size_average_reduce():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert ember.nn.MSELoss(size_average=False).reduction == "sum"
        assert ember.nn.L1Loss(reduce=False).reduction == "none"


def test_loss_errors():
    check_error(lambda lib: lib.nn.functional.cross_entropy(lib.ones(3, 4), lib.tensor([0, 5, 1])))
    check_error(lambda lib: lib.nn.functional.cross_entropy(lib.ones(3, 4), lib.tensor([0, 1])))
    check_error(lambda lib: lib.nn.functional.nll_loss(lib.ones(3, 4), lib.tensor([0, 1, 1]),
                                                       reduction="bad"))
    check_error(lambda lib: lib.nn.functional.binary_cross_entropy(lib.ones(3) * 2,
                                                                   lib.ones(3)))
    check_error(lambda lib: lib.nn.functional.binary_cross_entropy_with_logits(lib.ones(3),
                                                                               lib.ones(2)))
    check_error(lambda lib: lib.nn.functional.multi_margin_loss(lib.ones(3, 4),
                                                                lib.tensor([0, 1, 1]), p=3))
    check_error(lambda lib: lib.nn.functional.gaussian_nll_loss(lib.ones(3, 4), lib.ones(3, 4),
                                                                lib.ones(2)))
