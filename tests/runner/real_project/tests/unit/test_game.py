from tests.fixtures.click_game_server import Game


def test_click_increments():
    game = Game()
    assert [game.click(), game.click()] == [1, 2]
