"""``complaint_summary``, ``complaint_sla`` and ``satisfaction_behaviour`` on tickets, orders
and answers small enough to work out by hand: open tickets, a ticket closed after the
observation end, exact median and p90, SLA breaches, first responses (awaited, late, given
after the observation end), the backlog's age, repurchase and churn after NPS answers, and
the RFM-matched churn of complainers."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from clientlens.analytics.purchase.behaviour import purchase_cycle
from clientlens.analytics.satisfaction.behaviour import satisfaction_behaviour
from clientlens.analytics.satisfaction.complaints import complaint_summary
from clientlens.analytics.satisfaction.sla import FIRST_RESPONSE_COLUMNS, complaint_sla
from clientlens.analytics.satisfaction.stats import stratified_difference
from clientlens.errors import ConfigError

END = "2024-01-31"
TICKETS = pd.DataFrame(
    {
        "ticket_id": [f"T{i}" for i in range(1, 8)],
        "customer_id": ["a", "a", "b", "c", "d", "e", "f"],
        "opened_at": pd.to_datetime(
            [
                "2024-01-02 00:00",  # high, 10 h: past its 8 h target
                "2024-01-05 00:00",  # high, 2 h
                "2024-01-10 00:00",  # low, exactly 72 h: on target, not breached
                "2024-01-30 00:00",  # low, open: 48 h old at the end of 31 January
                "2024-01-20 00:00",  # medium, closed after the observation end: open, 12 days
                "2024-01-25 00:00",  # 紧急 (high), 4 h
                "2024-02-03 00:00",  # after the observation end: left out
            ]
        ),
        "closed_at": pd.to_datetime(
            [
                "2024-01-02 10:00",
                "2024-01-05 02:00",
                "2024-01-13 00:00",
                None,
                "2024-02-10 00:00",
                "2024-01-25 04:00",
                "2024-02-04 00:00",
            ]
        ),
        "category": ["物流", "物流", "质量", "质量", "物流", None, "物流"],
        "severity": ["high", "High", "low", "low", "medium", "紧急", "low"],
    }
)


def _one(frame: pd.DataFrame, **where) -> pd.Series:
    rows = frame
    for column, value in where.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_complaint_volume_customers_repeat_and_open():
    s = complaint_summary(TICKETS, observation_end=END)
    jan = _one(s, dimension="all", grain="month", period_label="2024-01")
    assert (jan.tickets, jan.customers, jan.repeat_customers, jan.open_tickets) == (6, 5, 1, 2)
    logistics = _one(s, dimension="category", group="物流", grain="month")
    assert (logistics.tickets, logistics.customers, logistics.repeat_customers) == (3, 2, 1)
    assert logistics.ticket_share == pytest.approx(0.5)
    assert _one(s, dimension="category", group="unknown", grain="month").tickets == 1
    # severity spellings read as levels: High -> high, 紧急 -> high
    assert _one(s, dimension="severity", group="high", grain="month").tickets == 3
    # 31 January ends January: the month is complete, and the 12 months to it hold it alone
    year = _one(s, dimension="all", grain="last_12_months")
    assert (year.period_label, year.tickets, year.customers) == ("2023-02..2024-01", 6, 5)
    # no month before the first ticket was observed: nothing to compare with
    assert bool(jan.is_complete) and jan.previous_tickets == 0 and pd.isna(jan.previous_p_value)
    assert pd.isna(jan.last_year_p_value) and pd.isna(year.previous_p_value)


def test_a_rise_in_tickets_is_a_poisson_test_between_complete_months():
    t = pd.DataFrame(
        {
            "ticket_id": [str(i) for i in range(30)],
            "customer_id": [str(i) for i in range(30)],
            "opened_at": pd.to_datetime(["2024-01-10"] * 10 + ["2024-02-10"] * 20),
        }
    )
    s = complaint_summary(t, observation_end="2024-02-29")
    feb = _one(s, dimension="all", grain="month", period_label="2024-02")
    assert feb.previous_tickets == 10 and feb.previous_change == pytest.approx(1.0)
    z = (20 - 10) / math.sqrt(30)
    assert feb.previous_p_value == pytest.approx(math.erfc(z / math.sqrt(2)))
    assert bool(feb.previous_significant) is False  # p = 0.068
    assert _one(s, dimension="category", group="unknown", period_label="2024-02").tickets == 20


def test_resolution_times_breaches_and_backlog_by_hand():
    s = complaint_sla(TICKETS, observation_end=END)
    month = _one(s, dimension="all", grain="month")
    # resolved: 2, 4, 10, 72 hours -> median (4 + 10) / 2 = 7, p90 the 4th value = 72
    assert month.resolution_median_hours == pytest.approx(7.0)
    assert month.resolution_p90_hours == pytest.approx(72.0)
    assert (month.tickets, month.resolved, month.open_tickets) == (6, 4, 2)
    # breached: the 10 h high ticket and the medium one open for 12 days (288 h > 24 h)
    assert (month.breached, month.open_breached) == (2, 1)
    assert month.breach_rate == pytest.approx(2 / 6)
    assert pd.isna(month.target_hours)  # several severities
    backlog = _one(s, dimension="all", grain="backlog")
    assert backlog.tickets == 2
    # open ages 2 and 12 days: median 7, p90 the 2nd value, 12
    assert backlog.open_age_median_days == pytest.approx(7.0)
    assert backlog.open_age_p90_days == pytest.approx(12.0)
    high = _one(s, dimension="severity", group="high", grain="month")
    assert (high.target_hours, high.tickets, high.breached) == (8.0, 3, 1)
    assert high.resolution_median_hours == pytest.approx(4.0)


def test_sla_targets_come_from_the_settings():
    s = complaint_sla(TICKETS, observation_end=END, hours={"high": 12.0, "medium": 400.0})
    month = _one(s, dimension="all", grain="month")
    assert month.breached == 0
    with pytest.raises(ConfigError, match="sla_hours_low must be more than 0 hours"):
        complaint_sla(TICKETS, observation_end=END, hours={"low": 0.0})


# First responses of TICKETS (T1..T7), hours after opening: T1 1, T2 0.5, T3 6, T4 none
# (open, awaiting), T5 3 (still open, answered), T6 none (closed without a reply), T7 left
# out with its ticket.
RESPONSES = pd.to_datetime(
    [
        "2024-01-02 01:00",
        "2024-01-05 00:30",
        "2024-01-10 06:00",
        None,
        "2024-01-20 03:00",
        None,
        "2024-02-03 01:00",
    ]
)


def test_first_response_times_awaiting_and_breaches_by_hand():
    s = complaint_sla(TICKETS.assign(first_response_at=RESPONSES), observation_end=END)
    month = _one(s, dimension="all", grain="month")
    # responded: 0.5, 1, 3, 6 hours -> median (1 + 3) / 2 = 2, p90 the ceil(3.6) = 4th, 6
    assert (month.responded, month.awaiting_response) == (4, 1)
    assert month.first_response_median_hours == pytest.approx(2.0)
    assert month.first_response_p90_hours == pytest.approx(6.0)
    # 4 h target: T3 answered after 6 h, and T4 unanswered and 48 h old at the end;
    # T6, closed without a reply, is neither responded nor awaiting
    assert month.first_response_target_hours == 4.0
    assert month.first_response_breached == 2
    assert month.first_response_breach_rate == pytest.approx(2 / 5)
    # the resolution figures are those of the same tickets without the column
    assert (month.resolution_median_hours, month.breached) == (pytest.approx(7.0), 2)
    backlog = _one(s, dimension="all", grain="backlog")
    # open: T4 (awaiting, breached) and T5 (answered after 3 h)
    assert (backlog.responded, backlog.awaiting_response, backlog.first_response_breached) == (
        1,
        1,
        1,
    )
    assert backlog.first_response_median_hours == pytest.approx(3.0)
    assert backlog.first_response_breach_rate == pytest.approx(0.5)
    high = _one(s, dimension="severity", group="high", grain="month")
    # T1 1 h, T2 0.5 h (T6 closed without a reply): median 0.75, nothing breached
    assert (high.responded, high.awaiting_response, high.first_response_breached) == (2, 0, 0)
    assert high.first_response_median_hours == pytest.approx(0.75)


def test_a_first_response_after_the_observation_end_is_still_awaited():
    late = list(RESPONSES)
    late[3] = pd.Timestamp("2024-02-01 09:00")  # T4 answered the day after the end
    s = complaint_sla(TICKETS.assign(first_response_at=pd.to_datetime(late)), observation_end=END)
    month = _one(s, dimension="all", grain="month")
    assert (month.responded, month.awaiting_response, month.first_response_breached) == (4, 1, 2)
    # counted as answered it would be 57 h, the 5th of 5 and so the p90
    assert month.first_response_p90_hours == pytest.approx(6.0)


def test_the_first_response_target_comes_from_its_setting():
    tickets = TICKETS.assign(first_response_at=RESPONSES)
    # 7 h: T3's 6 h reply is on time; T4, awaiting for 48 h, is still late
    s = complaint_sla(tickets, observation_end=END, first_response_hours=7.0)
    assert _one(s, dimension="all", grain="month").first_response_breached == 1
    # 50 h: T4 is awaited but not yet older than the target
    s = complaint_sla(tickets, observation_end=END, first_response_hours=50.0)
    month = _one(s, dimension="all", grain="month")
    assert (month.awaiting_response, month.first_response_breached) == (1, 0)
    assert month.first_response_target_hours == 50.0
    with pytest.raises(ConfigError, match="sla_first_response_hours must be more than 0"):
        complaint_sla(tickets, observation_end=END, first_response_hours=0.0)


def test_without_first_response_at_its_columns_are_null_and_the_rest_runs():
    s = complaint_sla(TICKETS, observation_end=END)
    first = list(FIRST_RESPONSE_COLUMNS)
    assert s[first].isna().all().all()
    assert str(s["responded"].dtype) == "Int64"  # typed nulls, storable on every engine
    assert _one(s, dimension="all", grain="month").resolved == 4


def test_no_tickets_up_to_the_observation_end_give_empty_tables():
    s = complaint_summary(TICKETS, observation_end="2023-12-31")
    sla = complaint_sla(TICKETS, observation_end="2023-12-31")
    assert s.empty and sla.empty and "breach_rate" in sla.columns


# -- satisfaction_behaviour ---------------------------------------------------------


def _orders(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["customer_id", "order_date", "amount"])
    frame["order_date"] = pd.to_datetime(frame["order_date"])
    return frame


def test_repurchase_and_churn_after_nps_answers():
    orders = _orders(
        [
            ("a", "2024-01-01", 10.0),
            ("a", "2024-02-15", 10.0),  # 36 days after a's answer
            ("b", "2024-01-01", 10.0),
            ("c", "2024-01-01", 10.0),
            ("c", "2024-06-01", 10.0),  # 143 days after c's answer
            ("d", "2024-10-01", 10.0),
        ]
    )
    feedback = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d"],
            "date": pd.to_datetime(["2024-01-10", "2024-01-10", "2024-01-10", "2024-11-01"]),
            "kind": "nps",
            "score": [10.0, 3.0, 8.0, 10.0],  # d's 90 days are not observed
        }
    )
    out = satisfaction_behaviour(
        orders, observation_end="2024-12-31", feedback=feedback, churn_window_days_setting=100
    )
    rep = out[out.comparison == "nps_repurchase_90d"].set_index("group")
    assert rep["units"].tolist() == [1, 1, 1]
    assert rep["events"].tolist() == [1, 0, 0]  # promoter a came back, c and b did not
    assert rep.loc["detractor", "difference"] == pytest.approx(-1.0)
    churn = out[out.comparison == "nps_churn"].set_index("group")
    assert churn["window_days"].tolist() == [100.0] * 3
    assert churn["value"].tolist() == [0.0, 1.0, 1.0]
    assert pd.isna(churn.loc["promoter", "difference"])


def test_the_churn_window_from_the_purchase_cycle_result_is_the_one_it_computes():
    # purchase cycles of 60 and 80 days: window 2 x 70 = 140, above the 90-day floor
    orders = _orders(
        [
            ("a", "2024-01-01", 10.0),
            ("a", "2024-03-01", 10.0),
            ("a", "2024-04-30", 10.0),
            ("b", "2024-02-01", 10.0),
            ("b", "2024-04-21", 10.0),
            ("c", "2024-03-05", 10.0),
        ]
    )
    feedback = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c"],
            "date": pd.to_datetime(["2024-05-01", "2024-05-01", "2024-05-01"]),
            "kind": "nps",
            "score": [10.0, 3.0, 8.0],
        }
    )
    end = "2024-12-31"
    alone = satisfaction_behaviour(orders, observation_end=end, feedback=feedback)
    cycles = purchase_cycle(orders, observation_end=end)
    given = satisfaction_behaviour(
        orders, observation_end=end, feedback=feedback, purchase_cycle=cycles
    )
    assert alone[alone.comparison == "nps_churn"]["window_days"].tolist() == [140.0] * 3
    pd.testing.assert_frame_equal(given, alone)


def test_complainers_are_compared_within_rfm_cells_as_of_the_cutoff():
    end = dt.date(2024, 12, 31)
    cutoff = end - dt.timedelta(days=100)

    def day(offset: int) -> str:
        return (cutoff + dt.timedelta(days=offset)).isoformat()

    rows, tickets = [], []
    # Cell 1: one order 10 days before the cutoff, spend 10 (low).
    # complainers k1 (churns), k2 (back); others n1 (churns), n2-n4 (back)
    for who, back in (
        ("k1", False),
        ("k2", True),
        ("n1", False),
        ("n2", True),
        ("n3", True),
        ("n4", True),
    ):
        rows.append((who, day(-10), 10.0))
        if back:
            rows.append((who, day(20), 10.0))
    # Cell 2: two orders, spend 100 (high). complainer k3 churns; others m1, m2 come back
    for who, back in (("k3", False), ("m1", True), ("m2", True)):
        rows += [(who, day(-50), 50.0), (who, day(-10), 50.0)]
        if back:
            rows.append((who, day(30), 10.0))
    tickets = pd.DataFrame(
        {
            "ticket_id": ["1", "2", "3", "4"],
            "customer_id": ["k1", "k2", "k3", "z"],  # z never bought: not in the comparison
            "opened_at": pd.to_datetime([day(-30), day(-5), day(-40), day(-5)]),
        }
    )
    out = satisfaction_behaviour(
        _orders(rows), observation_end=end, tickets=tickets, churn_window_days_setting=100
    )
    rows_out = out[out.comparison == "complaint_churn"].set_index("group")
    expected = stratified_difference([2, 1], [1, 1], [4, 2], [1, 0], 0.95)
    assert expected["difference"] == pytest.approx(0.5)  # 2/3 × (0.5 − 0.25) + 1/3 × (1 − 0)
    c = rows_out.loc["complainers"]
    assert (c.units, c.events, c.cells) == (3, 2, 2)
    assert c.value == pytest.approx(2 / 3)
    assert c.difference == pytest.approx(0.5)
    half = 1.959963984540054 * math.sqrt(4 / 9 * (0.25 / 2 + 0.1875 / 4))
    assert (c.difference_ci_low, c.difference_ci_high) == (
        pytest.approx(0.5 - half),
        pytest.approx(0.5 + half),
    )
    assert rows_out.loc["matched_non_complainers", "value"] == pytest.approx(1 / 6)
    assert rows_out.loc["all_non_complainers", "value"] == pytest.approx(1 / 6)
    assert rows_out.loc["all_non_complainers", "units"] == 6
