"""langchain-huggingface's HuggingFaceEndpointEmbeddings, the TEI client LangChain documents, with the server's URL
as its model (it posts to `/` through huggingface_hub)."""
from langchain_huggingface import HuggingFaceEndpointEmbeddings

from conftest import assert_close

DOCUMENTS = ["Lots of people play in the water at the beach.", "A group of girls are exiting a taxi.",
             "The café served a naïve crème brûlée to the fiancé."]


def test_embed_documents_and_query(main_server, minilm_reference):
    embeddings = HuggingFaceEndpointEmbeddings(model=main_server.url, huggingfacehub_api_token="unused")
    vectors = embeddings.embed_documents(DOCUMENTS)
    assert len(vectors) == len(DOCUMENTS)
    for vector, text in zip(vectors, DOCUMENTS):
        assert_close(vector, minilm_reference[text], 2e-5, text)
    query = embeddings.embed_query("A man pours some cooking oil into a pot.")
    assert_close(query, minilm_reference["A man pours some cooking oil into a pot."], 2e-5, "query")
