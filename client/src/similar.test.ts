import { describe, expect, it } from 'vitest';
import { rankSimilar, sharedWords, significantWords, similarityQuery } from './similar';

const idea = (id: string, title: string, voteCount = 0) => ({ id, title, voteCount });

describe('similar ideas', () => {
  it('searches only once the title says something, for any of its significant words', () => {
    expect(similarityQuery('')).toBeNull();
    expect(similarityQuery('ab')).toBeNull();
    expect(similarityQuery('the and of')).toBeNull();
    expect(similarityQuery('A heated steering wheel, please!')).toBe('heated or steering or wheel or please');
    expect(significantWords('Wheel wheel WHEEL')).toEqual(['wheel']);
    expect(significantWords('Sièges chauffés à l’arrière')).toEqual(['sièges', 'chauffés', 'arrière']);
  });

  it('never passes search operators through', () => {
    const q = similarityQuery('"heated" -wheel or (seats) | !buttons');
    expect(q).toBe('heated or wheel or seats or buttons');
  });

  it('counts shared words, a word being typed included', () => {
    const words = significantWords('heated steer');
    expect(sharedWords(words, 'Heated steering wheel as an option')).toBe(2);
    expect(sharedWords(words, 'Physical buttons for climate control')).toBe(0);
  });

  it('ranks by shared title words, then votes, and keeps at most five', () => {
    const ideas = [
      idea('buttons', 'Physical buttons for climate control', 9),
      idea('seats', 'Heated rear seats', 2),
      idea('wheel', 'Heated steering wheel as an option on the base trim', 5),
      idea('body-only', 'Winter package', 7),
      ...['a', 'b', 'c', 'd'].map((x) => idea(x, `Heated ${x}`, 0)),
    ];
    const ranked = rankSimilar('Heated steering wheel for winter', ideas).map((i) => i.id);
    expect(ranked).toHaveLength(5);
    expect(ranked.slice(0, 3)).toEqual(['wheel', 'body-only', 'seats']);
    expect(rankSimilar('of the', ideas)).toEqual([]);
  });
});
