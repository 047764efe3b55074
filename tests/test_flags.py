"""Red flags, guardrails and the prior as functions (features/flags.py, models/guardrails.py,
models/prior.py): values from the feature matrix, thresholds, policies, magnitudes."""

from __future__ import annotations

import numpy as np
import pytest

from features.flags import FLAG_NAMES, flag_values
from features.schema import FEATURE_NAMES
from models.guardrails import PEER_SIMILARITY, Guardrails, guarded, judge
from models.prior import Prior
from training.fit import prior_ranker

NAMES = list(FEATURE_NAMES)


def rows(*overrides: dict[str, float]) -> np.ndarray:
    """Feature rows of a typical clean, on-niche micro creator, each with its overrides."""
    base = {name: np.nan for name in NAMES}
    base.update(
        similarity=0.45, category_match=1.0, language_match=1.0, market_match=1.0,
        audience_market_share=0.8, brand_mentions=0.0, critical_stance=0.0,
        sponsored_share=0.1, authenticity=0.9, engagement_vs_tier=1.0, following_ratio=0.1,
        comments_per_like=0.03, reply_rate=0.4, log_followers=4.2, days_since_last_post=3.0,
        organic_mention_share=0.2,
    )  # fmt: skip
    return np.array([[{**base, **o}[name] for name in NAMES] for o in overrides])


def flag(values: np.ndarray, name: str) -> np.ndarray:
    return values[:, FLAG_NAMES.index(name)]


def test_flag_values_come_from_the_signals_they_name() -> None:
    values = flag_values(
        rows({}, {"sponsored_share": 13 / 14}, {"authenticity": 0.3}, {"days_since_last_post": 90},
             {"critical_stance": np.log1p(2)}, {"language_match": 0.0, "market_match": 0.0,
                                                "audience_market_share": 0.1}),
        NAMES,
    )  # fmt: skip
    assert flag(values, "saturated")[1] == pytest.approx(13 / 14)
    assert flag(values, "suspicious_audience")[2] == pytest.approx(0.3)
    assert flag(values, "inactive")[3] == 90
    assert flag(values, "critical_stance")[4] == pytest.approx(2.0)
    assert flag(values, "off_market")[5] == pytest.approx(0.1)  # its audience's share
    raised = judge(values, Guardrails.default()).raised
    assert not raised[0].any()  # the clean creator raises nothing
    for row, name in enumerate(FLAG_NAMES, start=1):
        assert raised[row].tolist() == [n == name for n in FLAG_NAMES], name


def test_engagement_following_and_comments_betray_a_bought_audience() -> None:
    values = flag_values(
        rows({"engagement_vs_tier": 0.2}, {"following_ratio": 2.5}, {"comments_per_like": 0.0}),
        NAMES,
    )
    quality = flag(values, "suspicious_audience")
    assert quality[0] == pytest.approx(0.9 * np.sqrt(0.2))
    assert quality[1] == pytest.approx(1.1 - 0.25 * 2.5)
    assert quality[2] == pytest.approx(0.5)
    assert judge(values, Guardrails.default()).raised[:, 1].all()


def test_an_unknown_signal_never_raises_a_flag() -> None:
    unknown = rows({"sponsored_share": np.nan, "days_since_last_post": np.nan,
                    "critical_stance": np.nan, "language_match": np.nan, "market_match": np.nan,
                    "audience_market_share": np.nan})  # fmt: skip
    values = flag_values(unknown, NAMES)
    assert np.isnan(flag(values, "off_market")[0]) and np.isnan(flag(values, "saturated")[0])
    assert not judge(values, Guardrails.default()).raised.any()


def test_guardrails_parse_actions_thresholds_and_name_the_bad_field() -> None:
    rails = Guardrails.parse(
        {"saturated": "exclude", "inactive": {"action": "ignore", "threshold": 30}}
    )
    assert rails.actions[FLAG_NAMES.index("saturated")] == "exclude"
    assert rails.thresholds[FLAG_NAMES.index("inactive")] == 30
    assert rails.actions[FLAG_NAMES.index("off_market")] == "demote"  # default kept
    assert rails.thresholds[FLAG_NAMES.index("saturated")] == 0.4
    with pytest.raises(ValueError, match="unknown flags \\['sponsored'\\]"):
        Guardrails.parse({"sponsored": "exclude"})
    with pytest.raises(ValueError, match=r"guardrails\.inactive: unknown action 'hide'"):
        Guardrails.parse({"inactive": "hide"})


def test_demote_exclude_and_ignore_have_their_documented_magnitudes() -> None:
    features = rows(
        {},  # clean
        {"similarity": 0.46, "sponsored_share": 0.9},  # a billboard twin of the clean one
        {"similarity": 0.60, "sponsored_share": 0.9},  # a billboard with no peer near it
        {"similarity": 0.20, "category_match": 0.0},  # another world, clean
    )
    score = np.array([0.5, 0.8, 0.9, 0.3])
    demoted, judgement = guarded(score, features, NAMES, None)
    # just below its clean peer, not below the other world's creator; no peer: unchanged
    assert demoted.tolist() == [0.5, np.nextafter(0.5, -np.inf), 0.9, 0.3]
    assert judgement.demoted.tolist() == [False, True, True, False]
    assert PEER_SIMILARITY == 0.05
    excluded, judgement = guarded(
        score, features, NAMES, Guardrails.parse({"saturated": "exclude"})
    )
    assert excluded.tolist() == [0.5, -np.inf, -np.inf, 0.3]
    assert judgement.kept.tolist() == [True, False, False, True]
    assert judgement.excluded_by.tolist() == [-1, 0, 0, -1]
    ignored, _ = guarded(score, features, NAMES, Guardrails.parse({"saturated": "ignore"}))
    assert ignored.tolist() == score.tolist()
    # a higher threshold raises nothing below it
    lenient, judgement = guarded(
        score, features, NAMES, Guardrails.parse({"saturated": {"threshold": 0.95}})
    )
    assert lenient.tolist() == score.tolist() and not judgement.raised.any()


def test_the_prior_alone_ranks_an_advocate_first_and_a_billboard_below_its_clean_twin() -> None:
    ranker = prior_ranker(FEATURE_NAMES)
    features = rows(
        {"brand_mentions": np.log1p(2)},  # advocate: names the brand unpaid
        {},  # clean, on niche
        {"sponsored_share": 13 / 14, "brand_mentions": np.log1p(1)},  # billboard + one mention
        {"authenticity": 0.3},  # bought audience
        {"similarity": 0.15, "category_match": 0.0},  # off niche, same language
        {"critical_stance": np.log1p(1)},  # speaks against the brief's world
    )
    advocacy = ranker.predict(features).advocacy_fit
    assert advocacy.argmax() == 0
    # thirteen ads outweigh one unpaid mention: −4.5 × (13/14 − 0.15) + 2 × log 2 log-odds
    odds = advocacy / (1 - advocacy)
    assert np.log(odds[2] / odds[1]) == pytest.approx(-4.5 * (13 / 14 - 0.15) + 2 * np.log(2))
    assert advocacy[3] < 0.5 * advocacy[1]  # a 30% real audience is no 0.8
    assert advocacy[4] < advocacy[1] and advocacy[5] < advocacy[1]


def test_prior_terms_are_additive_and_unknown_signals_add_nothing() -> None:
    prior = Prior()
    features = rows({}, {"brand_mentions": np.nan, "authenticity": np.nan})
    contributions = prior.contributions(features, NAMES)
    assert contributions.sum(axis=1) == pytest.approx(prior.margin(features, NAMES))
    assert contributions[1, NAMES.index("brand_mentions")] == 0.0
    assert contributions[1, NAMES.index("authenticity")] == 0.0
    assert Prior.from_dict(prior.to_dict()) == prior
