"""Rate slots shared by instances: the grid of call instants and who may hold which slot."""

from __future__ import annotations

from collections import Counter

from archiver.adapters.zoom.slots import (
    MAX_STATE,
    Grid,
    Interest,
    Leases,
    Terms,
    allocate,
    needs_write,
    shares,
    spread,
)

TERMS = Terms(lease=10.0, grace=2.0, turn=10.0)
GRID = Grid(per_window=8, window=1.0)


def claim(leases: Leases, me: str, want: int, now: float) -> tuple[Leases, dict[int, float]]:
    return allocate(leases, me, want, now, TERMS)


def test_each_slot_owns_one_instant_per_window_so_all_slots_fill_a_window_exactly() -> None:
    slots = dict.fromkeys(range(8), 1e12)
    index, instants = GRID.index_at(100.0), []
    for _ in range(24):
        index = GRID.next_index(index, slots)
        assert index is not None
        instants.append(GRID.instant(index))
        index += 1
    assert Counter(int(t) for t in instants) == {100: 8, 101: 8, 102: 8}


def test_an_instance_books_only_its_own_slots_and_never_past_their_lease() -> None:
    start = GRID.index_at(100.0)
    assert GRID.next_index(start, {3: 1e12}) == start + 3
    assert GRID.next_index(start + 4, {3: 1e12}) == start + 8 + 3
    assert GRID.next_index(start, {3: 100.2}) is None  # slot 3's instant is at 100.375
    # A slot given back (its lease ends sooner) is skipped once its lease is over.
    assert GRID.next_index(start, {1: 100.1, 5: 1e12}, (1, 5)) == start + 5
    assert GRID.next_index(start + 6, {1: 1e12, 5: 1e12}, (1, 5)) == start + 8 + 1


def test_a_lone_instance_gets_the_slots_it_wants_spread_over_the_window() -> None:
    leases, mine = claim(Leases.empty(8), "a", 4, 100.0)
    assert sorted(mine) == [0, 2, 4, 6]  # every other instant, not the first half of the window
    assert set(mine.values()) == {110.0}
    assert leases.interest["a"].want == 4


def test_spread_order_keeps_any_first_few_slots_evenly_apart() -> None:
    assert spread(8)[:4] == (0, 4, 2, 6)
    assert sorted(spread(36)[:4]) == [0, 9, 18, 27]
    assert sorted(spread(10)) == list(range(10))


def test_a_late_call_may_use_an_instant_up_to_the_slack_ago() -> None:
    assert GRID.slack == 0.05
    start = GRID.index_at(100.2 - GRID.slack)  # 100.15 is slot 1's instant 100.125 + 0.025
    assert GRID.instant(GRID.next_index(start, {1: 1e12, 2: 1e12}) or 0) == 100.25
    assert GRID.index_at(100.18 - GRID.slack) == GRID.index_at(100.13)


def test_two_busy_instances_converge_to_half_each_without_sharing_a_slot() -> None:
    leases, _ = claim(Leases.empty(8), "a", 8, 100.0)
    leases, b = claim(leases, "b", 8, 101.0)
    assert b == {}  # everything is held; b waits
    leases, a = claim(leases, "a", 8, 105.0)  # a renews: its share is now 4
    assert len([s for s, until in a.items() if until == 115.0]) == 4
    leases, b = claim(leases, "b", 8, 112.1)  # a's given-back slots end at 110 + grace
    assert len(b) == 4
    assert not set(b) & set(leases.held_by("a", 112.1))


def test_a_dead_instance_holds_its_slots_only_until_its_lease_and_the_grace_end() -> None:
    leases, _ = claim(Leases.empty(8), "dead", 8, 100.0)
    assert claim(leases, "b", 8, 111.9)[1] == {}
    leases, b = claim(leases, "b", 8, 112.0)
    assert len(b) == 8
    assert leases.held_by("dead", 112.0) == {}


def test_waiting_instances_get_free_slots_oldest_first() -> None:
    leases, _ = claim(Leases.empty(2), "a", 2, 100.0)
    leases, _ = claim(leases, "early", 1, 101.0)
    leases, _ = claim(leases, "late", 1, 102.0)
    # a's lease ran out unrenewed at 110: from 112 two slots are free, one for each waiter.
    leases, late = claim(leases, "late", 1, 112.5)
    assert len(late) == 1
    leases, early = claim(leases, "early", 1, 112.6)
    assert len(early) == 1
    assert not set(early) & set(late)


def test_a_waiter_takes_nothing_while_an_older_waiter_is_still_unserved() -> None:
    leases, _ = claim(Leases.empty(1), "a", 1, 100.0)
    leases, _ = claim(leases, "early", 1, 101.0)
    leases, _ = claim(leases, "late", 1, 102.0)
    assert claim(leases, "late", 1, 112.5)[1] == {}
    assert len(claim(leases, "early", 1, 112.5)[1]) == 1


def test_when_instances_outnumber_slots_a_holder_yields_after_its_turn() -> None:
    leases, _ = claim(Leases.empty(1), "a", 1, 100.0)
    leases, _ = claim(leases, "b", 1, 101.0)
    leases, a = claim(leases, "a", 1, 105.0)
    assert a == {0: 115.0}  # still within its turn
    leases, _ = claim(leases, "b", 1, 106.0)  # b keeps polling, so its interest stays alive
    leases, a = claim(leases, "a", 1, 111.0)
    assert a == {0: 115.0}  # its turn is over: no renewal, the booked lease runs out
    assert leases.interest["a"].since == 111.0  # and it queues again, behind b
    leases, b = claim(leases, "b", 1, 112.0)
    assert b == {}
    assert claim(leases, "b", 1, 117.0)[1] == {0: 127.0}


def test_shares_are_max_min_fair_and_the_leftover_goes_to_the_longest_standing() -> None:
    assert shares({"a": (2, 1.0), "b": (30, 2.0), "c": (30, 3.0)}, 36) == {
        "a": 2,
        "b": 17,
        "c": 17,
    }
    assert shares({"a": (30, 1.0), "b": (30, 2.0), "c": (30, 3.0)}, 10) == {
        "a": 4,
        "b": 3,
        "c": 3,
    }
    # More instances than slots: the two that have waited (or held) longest get one each.
    assert shares({h: (4, float(n)) for n, h in enumerate("wxyz")}, 2) == {
        "w": 1,
        "x": 1,
        "y": 0,
        "z": 0,
    }


def test_a_holder_below_its_share_takes_only_what_those_ahead_do_not_need() -> None:
    leases, _ = claim(Leases.empty(10), "a", 10, 100.0)
    leases, _ = claim(leases, "b", 10, 101.0)
    leases, _ = claim(leases, "c", 10, 102.0)
    leases, a = claim(leases, "a", 10, 106.0)  # a gives back all but its share, 4
    assert len([u for u in a.values() if u == 116.0]) == 4
    leases, c = claim(leases, "c", 10, 112.5)  # a's excess is free: c takes 3, leaving b's 3
    assert len(c) == 3
    leases, b = claim(leases, "b", 10, 112.6)
    assert len(b) == 3


def test_a_claim_is_written_only_when_it_changes_something_or_would_be_forgotten() -> None:
    leases, _ = claim(Leases.empty(1), "a", 1, 100.0)
    waiting, _ = claim(leases, "b", 1, 101.0)
    assert needs_write(leases, waiting, "b", 101.0, TERMS)
    again, _ = claim(waiting, "b", 1, 102.0)
    assert not needs_write(waiting, again, "b", 102.0, TERMS)
    later, _ = claim(waiting, "b", 1, 107.0)
    assert needs_write(waiting, later, "b", 107.0, TERMS)


def test_the_row_survives_its_json_and_a_change_of_plan_keeps_what_fits() -> None:
    leases, _ = claim(Leases.empty(8), "a", 8, 100.0)
    assert Leases.from_json(leases.to_json(), 8) == leases
    smaller = Leases.from_json(leases.to_json(), 4)
    assert len(smaller.slots) == 4
    assert smaller.held_by("a", 100.0) == dict.fromkeys(range(4), 110.0)


def test_a_row_too_big_for_a_table_property_leaves_out_those_heard_from_longest_ago() -> None:
    crowd = {f"i{n:05d}": Interest(1, 100.0, 100.0 + n / 1000) for n in range(2000)}
    text = Leases(Leases.empty(72).slots, crowd).to_json()
    assert len(text) <= MAX_STATE
    kept = Leases.from_json(text, 72).interest
    assert "i01999" in kept  # the most recent
    assert "i00000" not in kept
